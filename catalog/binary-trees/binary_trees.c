/* binary-trees, the `c` rung: nodes as two pointers from malloc, each tree freed once counted, in plain C99,
 * called through ctypes. binary_trees() writes the counts the Python side formats into the benchmark's lines:
 * the stretch tree's, then one total per depth (4, 6, ... max_depth), then the long-lived tree's.
 */
#include <stdlib.h>

typedef struct Node {
    struct Node *left, *right;
} Node;

static Node *make_tree(int depth)
{
    Node *node = malloc(sizeof(Node));
    if (!node)
        return NULL;
    if (depth == 0) {
        node->left = node->right = NULL;
    } else {
        node->left = make_tree(depth - 1);
        node->right = make_tree(depth - 1);
    }
    return node;
}

static long check_tree(const Node *node)
{
    if (!node->left)
        return 1;
    return 1 + check_tree(node->left) + check_tree(node->right);
}

static void free_tree(Node *node)
{
    if (node->left) {
        free_tree(node->left);
        free_tree(node->right);
    }
    free(node);
}

/* counts[0]: the stretch tree; counts[1 + k]: depth 4 + 2k; counts[last]: the long-lived tree.
 * Returns the number of counts written, or -1 when n is out of range. */
int binary_trees(int n, long long *counts, int capacity)
{
    const int min_depth = 4;
    if (n < 0 || n > 30)
        return -1;
    const int max_depth = n > min_depth + 2 ? n : min_depth + 2;
    int k = 0;
    if (capacity < 2 + (max_depth - min_depth) / 2 + 1)
        return -1;
    Node *stretch = make_tree(max_depth + 1);
    counts[k++] = check_tree(stretch);
    free_tree(stretch);
    Node *long_lived = make_tree(max_depth);
    for (int depth = min_depth; depth <= max_depth; depth += 2) {
        long long iterations = 1LL << (max_depth - depth + min_depth), check = 0;
        for (long long i = 0; i < iterations; i++) {
            Node *tree = make_tree(depth);
            check += check_tree(tree);
            free_tree(tree);
        }
        counts[k++] = check;
    }
    counts[k++] = check_tree(long_lived);
    free_tree(long_lived);
    return k;
}
