//! binary-trees: the Benchmarks Game's allocation-bound trees, on one thread. A node is a heap allocation
//! (`Box`) holding its two children, each tree is dropped as soon as it is counted (Rust frees it, there is no
//! collector), and the result is the lines the Benchmarks Game program prints.

use crate::SizeError;

const MIN_DEPTH: u32 = 4;
/// The largest depth accepted (depth 30 is 2^31 nodes, 32 GB).
pub const MAX_DEPTH: u32 = 30;

struct Node {
    children: Option<(Box<Node>, Box<Node>)>,
}

fn make(depth: u32) -> Box<Node> {
    Box::new(Node {
        children: (depth > 0).then(|| (make(depth - 1), make(depth - 1))),
    })
}

fn check(node: &Node) -> u64 {
    match &node.children {
        None => 1,
        Some((left, right)) => 1 + check(left) + check(right),
    }
}

/// Validates a depth from Python.
pub fn checked_depth(n: i64) -> Result<u32, SizeError> {
    u32::try_from(n)
        .ok()
        .filter(|n| *n <= MAX_DEPTH)
        .ok_or_else(|| {
            SizeError(format!(
                "binary-trees depth must be between 0 and {MAX_DEPTH}, got {n}"
            ))
        })
}

/// The Benchmarks Game's output lines for depth `n`.
pub fn binary_trees(n: u32) -> Vec<String> {
    let max_depth = n.max(MIN_DEPTH + 2);
    let stretch = max_depth + 1;
    let mut lines = vec![format!(
        "stretch tree of depth {stretch}\t check: {}",
        check(&make(stretch))
    )];
    let long_lived = make(max_depth);
    for depth in (MIN_DEPTH..=max_depth).step_by(2) {
        let iterations = 1u64 << (max_depth - depth + MIN_DEPTH);
        let total: u64 = (0..iterations).map(|_| check(&make(depth))).sum();
        lines.push(format!(
            "{iterations}\t trees of depth {depth}\t check: {total}"
        ));
    }
    lines.push(format!(
        "long lived tree of depth {max_depth}\t check: {}",
        check(&long_lived)
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmarks_games_published_output_for_depth_10() {
        assert_eq!(
            binary_trees(10),
            [
                "stretch tree of depth 11\t check: 4095",
                "1024\t trees of depth 4\t check: 31744",
                "256\t trees of depth 6\t check: 32512",
                "64\t trees of depth 8\t check: 32704",
                "16\t trees of depth 10\t check: 32752",
                "long lived tree of depth 10\t check: 2047",
            ]
        );
        assert!(checked_depth(31).is_err() && checked_depth(-1).is_err());
    }
}
