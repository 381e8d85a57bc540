#![allow(clippy::unwrap_used)]

use super::*;

fn request(form: &str) -> StackRequest {
    StackRequest::from_form(form.as_bytes()).unwrap()
}

fn event(stack: &str, at: &str) -> String {
    format!(
        "<member><StackName>{stack}</StackName><Timestamp>{at}</Timestamp>\
         <ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"
    )
}

fn answer(members: &[String]) -> String {
    format!(
        "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents>{}</StackEvents>\
         </DescribeStackEventsResult></DescribeStackEventsResponse>",
        members.concat()
    )
}

#[test]
fn events_after_an_accepted_operation_carry_its_token() {
    let tokens = EventTokens::default();
    // An earlier event, before any operation the layer saw.
    let before = event("app", "2000-01-01T00:00:00.000Z");
    let create = request("Action=CreateStack&StackName=app&ClientRequestToken=tok-1");
    tokens.begin(&create);
    tokens.accepted(&create);
    let update = request(
        "Action=UpdateStack&StackName=arn%3Aaws%3Acloudformation%3Aus-east-1%3A1%3Astack%2Fapp%2Fid&ClientRequestToken=tok-2",
    );
    tokens.begin(&update);
    tokens.accepted(&update);
    let now = timestamp(SystemTime::now() + std::time::Duration::from_secs(1));
    let xml = answer(&[event("app", &now), event("other", &now), before]);
    let stamped = tokens.stamp(&xml).unwrap();
    let members: Vec<&str> = stamped.split("</member>").collect();
    assert!(members[0].ends_with("<ClientRequestToken>tok-2</ClientRequestToken>"));
    assert!(!members[1].contains("ClientRequestToken"), "another stack");
    assert!(!members[2].contains("ClientRequestToken"), "older than any");
}

#[test]
fn an_operation_moto_refused_stamps_nothing_and_a_token_is_never_replaced() {
    let tokens = EventTokens::default();
    let refused = request("Action=CreateStack&StackName=app&ClientRequestToken=tok-1");
    tokens.begin(&refused);
    let now = timestamp(SystemTime::now());
    assert_eq!(tokens.stamp(&answer(&[event("app", &now)])), None);

    tokens.accepted(&refused);
    let own = "<member><StackName>app</StackName><Timestamp>2999-01-01T00:00:00.000Z</Timestamp>\
               <ClientRequestToken>theirs</ClientRequestToken></member>"
        .to_string();
    let stamped = tokens.stamp(&answer(std::slice::from_ref(&own))).unwrap();
    assert!(stamped.contains(&own));
    assert!(!stamped.contains("tok-1"));
}
