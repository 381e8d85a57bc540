use super::*;

const ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1588b3fd";
const OTHER: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/db/99";

fn described(stacks: &[(&str, &str)]) -> String {
    let members: String = stacks
        .iter()
        .map(|(id, status)| {
            format!(
                "<member><StackId>{id}</StackId><StackName>x</StackName><Parameters/>\
                 <StackStatus>{status}</StackStatus><Outputs><member><OutputKey>U</OutputKey>\
                 <OutputValue>x</OutputValue></member></Outputs></member>"
            )
        })
        .collect();
    format!(
        "<DescribeStacksResponse><DescribeStacksResult><Stacks>{members}</Stacks>\
         </DescribeStacksResult></DescribeStacksResponse>"
    )
}

#[test]
fn only_the_held_stacks_status_is_replaced() {
    let xml = described(&[(OTHER, "UPDATE_COMPLETE"), (ID, "CREATE_COMPLETE")]);
    let out = replace_status(&xml, ID, "CREATE_IN_PROGRESS");
    assert_eq!(
        out,
        described(&[(OTHER, "UPDATE_COMPLETE"), (ID, "CREATE_IN_PROGRESS")])
    );
    // A stack not in the answer leaves it as it is.
    assert_eq!(replace_status(&xml, "arn:nope", "X"), xml);
}

#[test]
fn a_status_of_the_next_stack_is_never_taken_for_this_ones() {
    let xml = format!(
        "<member><StackId>{ID}</StackId></member><member><StackId>{OTHER}</StackId>\
         <StackStatus>CREATE_COMPLETE</StackStatus></member>"
    );
    assert_eq!(replace_status(&xml, ID, "CREATE_IN_PROGRESS"), xml);
}

#[test]
fn held_stacks_are_released_after_the_hold() {
    let holds = Holds::new(Duration::from_secs(60));
    let created = format!("<CreateStackResult><StackId>{ID}</StackId></CreateStackResult>");
    holds.record(&created, Held::Create(Instant::now()));
    let xml = described(&[(ID, "CREATE_COMPLETE")]);
    assert_eq!(
        holds.answer(Some("DescribeStacks"), &xml),
        Some(described(&[(ID, "CREATE_IN_PROGRESS")]))
    );

    let long_ago = Instant::now()
        .checked_sub(Duration::from_secs(61))
        .unwrap_or_else(Instant::now);
    holds.record(&created, Held::Update(long_ago));
    assert_eq!(holds.rewrite(&xml), None);
}

#[test]
fn no_hold_changes_nothing() {
    let holds = Holds::new(Duration::ZERO);
    let created = format!("<CreateStackResult><StackId>{ID}</StackId></CreateStackResult>");
    assert_eq!(holds.answer(Some("CreateStack"), &created), None);
    let xml = described(&[(ID, "CREATE_COMPLETE")]);
    assert_eq!(holds.answer(Some("DescribeStacks"), &xml), None);
    assert!(holds.lock().is_empty());
}
