#![allow(clippy::unwrap_used)]

use super::*;

const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/b70b542d";

/// moto's DescribeStacks answer after an UpdateStack it crashed on: the new parameter value,
/// the old outputs, CREATE_COMPLETE.
const MOTO_DESCRIBE: &str = "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult><Stacks><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/b70b542d</StackId><StackName>s1</StackName><Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>prod</ParameterValue></member></Parameters><CreationTime>2026-12-02T00:45:06.753098Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><DisableRollback>false</DisableRollback><NotificationARNs/><Outputs><member><OutputKey>QueueUrl</OutputKey><OutputValue>https://sqs/new</OutputValue></member></Outputs><Tags/><EnableTerminationProtection>false</EnableTerminationProtection></member><member><StackId>other</StackId><StackName>other</StackName><StackStatus>CREATE_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>";

/// The stack member before the update.
const BEFORE: &str = "<member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/b70b542d</StackId><StackName>s1</StackName><Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>dev</ParameterValue></member></Parameters><StackStatus>CREATE_COMPLETE</StackStatus><Outputs><member><OutputKey>QueueUrl</OutputKey><OutputValue>https://sqs/old</OutputValue></member><member><OutputKey>Env</OutputKey><OutputValue>dev</OutputValue></member></Outputs></member>";

fn failed(operation: Operation) -> FailedOperation {
    FailedOperation {
        operation,
        stack_id: ID.to_string(),
        stack_name: "s1".to_string(),
        culprit: Some(Culprit {
            logical_id: "Param".to_string(),
            type_name: "AWS::SSM::Parameter".to_string(),
        }),
        culprit_existed: false,
        failure: "moto answered HTTP 500: no reason given".to_string(),
        token: Some("stackflow-create-job-1".to_string()),
        at: UNIX_EPOCH + Duration::from_millis(1_796_172_306_753),
        moto_has_stack: true,
        before: (operation == Operation::Update).then(|| BEFORE.to_string()),
    }
}

#[test]
fn a_failed_update_shows_the_stack_as_it_was() {
    let update = failed(Operation::Update);
    let xml = edit_list(
        MOTO_DESCRIBE,
        "Stacks",
        |member| {
            if element(member, "StackId") == Some(ID) {
                update.rewrite_member(member)
            } else {
                member.to_string()
            }
        },
        "",
    )
    .unwrap();
    assert!(xml.starts_with("<DescribeStacksResponse"));
    assert!(xml.ends_with("</DescribeStacksResponse>"));
    assert!(xml.contains("<StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>"));
    assert!(xml.contains("<ParameterValue>dev</ParameterValue>"));
    assert!(!xml.contains("prod"));
    assert!(xml.contains("https://sqs/old") && !xml.contains("https://sqs/new"));
    assert!(xml.contains("<OutputKey>Env</OutputKey>"));
    // The other stack is untouched.
    assert!(xml.contains(
        "<member><StackId>other</StackId><StackName>other</StackName><StackStatus>CREATE_COMPLETE</StackStatus></member>"
    ));
}

#[test]
fn a_failed_create_reads_rolled_back_with_cloudformations_reason() {
    let member = failed(Operation::Create).rewrite_member(BEFORE);
    assert!(member.contains("<StackStatus>ROLLBACK_COMPLETE</StackStatus>"));
    assert!(member.contains(
        "<StackStatusReason>The following resource(s) failed to create: [Param]. Rollback requested by user.</StackStatusReason></member>"
    ));
}

#[test]
fn a_stack_moto_lacks_is_made_whole() {
    let create = FailedOperation {
        moto_has_stack: false,
        ..failed(Operation::Create)
    };
    let xml = edit_list(
        &response("DescribeStacks", "<Stacks/>"),
        "Stacks",
        str::to_string,
        &create.member(),
    )
    .unwrap();
    assert!(xml.contains("<Stacks><member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s1/b70b542d</StackId><StackName>s1</StackName><CreationTime>2026-12-02T00:45:06.753Z</CreationTime><StackStatus>ROLLBACK_COMPLETE</StackStatus>"));
    assert!(xml.contains("</member></Stacks></DescribeStacksResult>"));
    let summary = create.summary();
    assert!(summary.contains("<StackStatus>ROLLBACK_COMPLETE</StackStatus>"));
}

#[test]
fn a_failed_creates_events_newest_first_with_the_token() {
    let events = failed(Operation::Create).events();
    let members = split_members(&events);
    let statuses: Vec<(&str, &str)> = members
        .iter()
        .map(|m| {
            (
                element(m, "LogicalResourceId").unwrap(),
                element(m, "ResourceStatus").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("s1", "ROLLBACK_COMPLETE"),
            ("s1", "ROLLBACK_IN_PROGRESS"),
            ("Param", "CREATE_FAILED"),
            ("Param", "CREATE_IN_PROGRESS"),
            ("s1", "CREATE_IN_PROGRESS"),
        ]
    );
    assert!(members
        .iter()
        .all(|m| element(m, "ClientRequestToken") == Some("stackflow-create-job-1")));
    assert_eq!(
        element(members[2], "ResourceStatusReason"),
        Some("[local emulator] moto answered HTTP 500: no reason given")
    );
    assert_eq!(
        element(members[2], "ResourceType"),
        Some("AWS::SSM::Parameter")
    );
    assert_eq!(
        element(members[0], "Timestamp"),
        Some("2026-12-02T00:45:06.757Z")
    );
}

#[test]
fn a_failed_updates_events_name_an_existing_resource_update_failed() {
    let update = FailedOperation {
        culprit_existed: true,
        ..failed(Operation::Update)
    };
    let events = update.events();
    let statuses: Vec<&str> = split_members(&events)
        .iter()
        .map(|m| element(m, "ResourceStatus").unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "UPDATE_ROLLBACK_COMPLETE",
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "UPDATE_FAILED",
            "UPDATE_IN_PROGRESS",
            "UPDATE_IN_PROGRESS",
        ]
    );
    assert!(events.contains("The following resource(s) failed to update: [Param]."));
    // A resource the update added failed to create.
    let added = failed(Operation::Update).events();
    assert!(added.contains("<ResourceStatus>CREATE_FAILED</ResourceStatus>"));
    assert!(added.contains("The following resource(s) failed to create: [Param]."));
}

#[test]
fn without_a_culprit_the_stack_itself_failed() {
    let create = FailedOperation {
        culprit: None,
        token: None,
        ..failed(Operation::Create)
    };
    let events = create.events();
    let members = split_members(&events);
    assert_eq!(element(members[2], "LogicalResourceId"), Some("s1"));
    assert_eq!(element(members[2], "ResourceStatus"), Some("CREATE_FAILED"));
    assert!(!events.contains("ClientRequestToken"));
}

#[test]
fn members_nest() {
    let inner = "<member><a><member>x</member></a></member><member/><member><b/></member>";
    assert_eq!(
        split_members(inner),
        [
            "<member><a><member>x</member></a></member>",
            "<member/>",
            "<member><b/></member>"
        ]
    );
    assert_eq!(split_members(""), Vec::<&str>::new());
}

#[test]
fn elements_are_set_replaced_or_removed() {
    let member = "<member><A>1</A><B/></member>";
    assert_eq!(
        set_element(member, "A", Some("2")),
        "<member><A>2</A><B/></member>"
    );
    assert_eq!(
        set_element(member, "B", Some("x")),
        "<member><A>1</A><B>x</B></member>"
    );
    assert_eq!(set_element(member, "A", None), "<member><B/></member>");
    assert_eq!(
        set_element(member, "C", Some("3")),
        "<member><A>1</A><B/><C>3</C></member>"
    );
    assert_eq!(set_element(member, "C", None), member);
}

#[test]
fn an_empty_list_takes_members() {
    let xml = "<R><StackSummaries/></R>";
    assert_eq!(
        edit_list(xml, "StackSummaries", str::to_string, "<member>n</member>").unwrap(),
        "<R><StackSummaries><member>n</member></StackSummaries></R>"
    );
    assert_eq!(edit_list(xml, "Stacks", str::to_string, ""), None);
}

#[test]
fn timestamps_are_iso_8601_utc() {
    assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    assert_eq!(
        timestamp(UNIX_EPOCH + Duration::from_millis(951_782_400_001)),
        "2000-02-29T00:00:00.001Z"
    );
}
