"""A queue on a list for `ladder advise`: a breadth-first walk that takes the next node with `pop(0)`, which
shifts every node still queued each time. collections.deque's popleft() is O(1)."""


def bfs_sum(n: int) -> int:
    # The implicit binary tree of n nodes (children 2k+1 and 2k+2), visited level by level.
    queue = [0]
    total = 0
    while queue:
        node = queue.pop(0)
        total += node % 7
        for child in (2 * node + 1, 2 * node + 2):
            if child < n:
                queue.append(child)
    return total


def main() -> None:
    print(bfs_sum(150_000))


if __name__ == "__main__":
    main()
