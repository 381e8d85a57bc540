//! A review run again before it was executed: the second `createChangeSet` of a new stack
//! replaces the first change set, and the stack stays one stack, as on AWS (moto alone would
//! keep a second stack of the name, and DescribeStacks by name would answer with the stale one).

use crate::modes::{
    assert_succeeded, cloudformation, create_change_set, described_stack, execute_change_set,
};
use crate::support::{example, runtime, unique_stack};

/// The stacks of that name ListStacks shows, deleted ones left out.
fn live_stacks_named(stack: &str) -> usize {
    runtime().block_on(async {
        let listed = cloudformation().await.list_stacks().send().await.unwrap();
        listed
            .stack_summaries()
            .iter()
            .filter(|s| s.stack_name() == Some(stack))
            .filter(|s| s.stack_status().map(|st| st.as_str()) != Some("DELETE_COMPLETE"))
            .count()
    })
}

#[test]
fn a_review_run_twice_before_execution_leaves_one_stack_which_the_execution_creates() {
    let stack = unique_stack("review-again");
    let change_set = format!("{stack}-cs");
    assert_succeeded(&create_change_set(&stack, &change_set, &example()));
    let again = create_change_set(&stack, &change_set, &example());
    assert_succeeded(&again);
    assert_eq!(again.output("Adds"), Some("2"), "{}", again.report);
    assert_eq!(live_stacks_named(&stack), 1, "one stack in review");

    assert_succeeded(&execute_change_set(&stack, &change_set));
    let (_, status) = described_stack(&stack).expect("the stack");
    assert_eq!(
        status, "CREATE_COMPLETE",
        "DescribeStacks by name sees the executed stack"
    );
    assert_eq!(live_stacks_named(&stack), 1);
}
