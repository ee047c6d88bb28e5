# binary-trees, the `mojo` rung's kernel: a Mojo module that Python imports (built by mojo.importer).
# A node is two optional pointers to heap-allocated children (one allocation a node, like the C and Rust rungs);
# a leaf has none. Mojo's owning OwnedPointer cannot be the field here: an Optional of it inside the struct it
# points to is refused (the field's type must be known to be destructible while the struct is being defined),
# so the tree is built from plain pointers and freed explicitly, each tree as soon as it is counted (a Node is two
# optional pointers, trivially destructible, so it is written straight into its fresh allocation). Returns the
# counts the Python side formats into the benchmark's lines: the stretch tree's, one total per depth
# (4, 6, ... max depth), then the long-lived tree's.
from std.memory import alloc
from std.os import abort
from std.python import PythonObject, Python
from std.python.bindings import PythonModuleBuilder

comptime MIN_DEPTH = 4
comptime NodePtr = Pointer[Node, MutUntrackedOrigin]


struct Node(Movable):
    var left: Optional[NodePtr]
    var right: Optional[NodePtr]

    def __init__(out self, left: Optional[NodePtr], right: Optional[NodePtr]):
        self.left = left
        self.right = right


def make_tree(depth: Int) -> NodePtr:
    var node = alloc[Node](1)
    if depth == 0:
        node[] = Node(None, None)
    else:
        node[] = Node(make_tree(depth - 1), make_tree(depth - 1))
    return node


def check_tree(node: NodePtr) -> Int:
    if not node[].left:
        return 1
    return 1 + check_tree(node[].left.value()) + check_tree(node[].right.value())


def free_tree(node: NodePtr):
    if node[].left:
        free_tree(node[].left.value())
        free_tree(node[].right.value())
    node.unsafe_free()


def count_and_free(depth: Int) -> Int:
    var tree = make_tree(depth)
    var count = check_tree(tree)
    free_tree(tree)
    return count


def binary_trees(n_obj: PythonObject) raises -> PythonObject:
    var n = Int(py=n_obj)
    var max_depth = max(MIN_DEPTH + 2, n)
    var counts = Python.list()
    counts.append(count_and_free(max_depth + 1))
    var long_lived = make_tree(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        var iterations = 1 << (max_depth - depth + MIN_DEPTH)
        var check = 0
        for _ in range(iterations):
            check += count_and_free(depth)
        counts.append(check)
    counts.append(check_tree(long_lived))
    free_tree(long_lived)
    return counts


@export
def PyInit_binary_trees_mojo() abi("C") -> PythonObject:
    try:
        var m = PythonModuleBuilder("binary_trees_mojo")
        m.def_function[binary_trees]("binary_trees", docstring="the tree counts for maximum depth n")
        return m.finalize()
    except e:
        abort(String("failed to create module: ", e))
