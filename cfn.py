import boto3
c=boto3.client('cloudformation',endpoint_url='http://127.0.0.1:18100',region_name='us-east-1',aws_access_key_id='a',aws_secret_access_key='b')
tests={
 'badyaml':"Resources: [unclosed",
 'noresources':"AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n",
 'missingparam':"Parameters:\n  P:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
 'unknowntype':"Resources:\n  Q:\n    Type: AWS::Nope::Thing\n",
 'badref':"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Missing\n",
}
for n,b in tests.items():
  try:
    r=c.create_stack(StackName='s-'+n,TemplateBody=b)
    d=c.describe_stacks(StackName='s-'+n)['Stacks'][0]
    print(n,'OK',d['StackStatus'],d.get('StackStatusReason'))
  except Exception as e: print(n,'ERR',e)
