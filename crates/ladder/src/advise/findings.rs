//! Findings in the program's source that no runtime fixes, each with its line, the pattern, why it is slow and
//! the data structure that fixes it. The study's playbook (seeds/003) puts them first: "fix the algorithm before
//! tuning the implementation"; an O(n²) loop stays O(n²) under PyPy or Cython. For memory-bound programs the
//! top allocation sites get the data-structure change that fits them (seeds/004: every value is a heap object;
//! `__slots__`, arrays and NumPy, generators).
//!
//! Like [`super::traits`], this reads what the code looks like (ruff's parser); the profile decides which
//! findings matter: a finding's `share` is the on-CPU samples on its line (its calls included), and findings on
//! hot lines are ranked before any rung.

use super::traits::SourceModule;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, CmpOp, Expr, Operator, Stmt};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Algorithm,
    Memory,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub file: String,
    pub line: u32,
    /// What the code does, in words (with the names it uses).
    pub pattern: String,
    /// Why it is slow: its cost.
    pub why: String,
    /// The data structure or change that removes the cost.
    pub fix: String,
    /// Algorithm: share of the on-CPU samples on the line, its calls included. Memory: share of the sampled
    /// allocated bytes from the line.
    pub share: f64,
}

/// A finding is hot, ranked before the rungs, from this share of the on-CPU samples.
pub const HOT_SHARE: f64 = 0.05;

/// The algorithmic patterns anywhere in the module: (line, pattern, why, fix).
pub fn algorithm_patterns(m: &SourceModule) -> Vec<(u32, String, String, String)> {
    let Some(body) = m.body() else {
        return Vec::new();
    };
    let mut scan = Scan {
        m,
        depth: 0,
        lists: BTreeSet::new(),
        strings: BTreeSet::new(),
        out: Vec::new(),
    };
    scan.scope(body);
    scan.out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    scan.out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    scan.out
}

struct Scan<'m> {
    m: &'m SourceModule,
    depth: u32,
    /// Names bound to lists in the current function (`x = []`, `list(...)`, a list comprehension, `.append`ed).
    lists: BTreeSet<String>,
    /// Names bound to strings in the current function (`s = ""`, an f-string).
    strings: BTreeSet<String>,
    out: Vec<(u32, String, String, String)>,
}

/// Names a body binds to lists and to strings (nested functions excluded: they are their own scope).
fn bindings(body: &[Stmt]) -> (BTreeSet<String>, BTreeSet<String>) {
    #[derive(Default)]
    struct B {
        lists: BTreeSet<String>,
        strings: BTreeSet<String>,
    }
    impl<'a> Visitor<'a> for B {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            match s {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            match &*a.value {
                                Expr::List(_) | Expr::ListComp(_) => {
                                    self.lists.insert(n.id.to_string());
                                }
                                Expr::Call(c) if matches!(&*c.func, Expr::Name(f) if f.id.as_str() == "list") =>
                                {
                                    self.lists.insert(n.id.to_string());
                                }
                                Expr::StringLiteral(_) | Expr::FString(_) => {
                                    self.strings.insert(n.id.to_string());
                                }
                                _ => {}
                            }
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(v)) = (&*a.target, &a.value)
                        && matches!(&**v, Expr::List(_) | Expr::ListComp(_))
                    {
                        self.lists.insert(n.id.to_string());
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, s);
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            if let Expr::Call(c) = e
                && let Expr::Attribute(a) = &*c.func
                && a.attr.id.as_str() == "append"
                && let Expr::Name(n) = &*a.value
            {
                self.lists.insert(n.id.to_string());
            }
            visitor::walk_expr(self, e);
        }
    }
    let mut b = B::default();
    b.visit_body(body);
    (b.lists, b.strings)
}

impl Scan<'_> {
    fn scope(&mut self, body: &[Stmt]) {
        let saved = (
            std::mem::take(&mut self.lists),
            std::mem::take(&mut self.strings),
            self.depth,
        );
        (self.lists, self.strings) = bindings(body);
        self.depth = 0;
        self.visit_body(body);
        (self.lists, self.strings, self.depth) = saved;
    }

    fn push(&mut self, line: u32, pattern: String, why: &str, fix: String) {
        self.out.push((line, pattern, why.to_string(), fix));
    }

    fn loop_body(&mut self, body: &[Stmt]) {
        self.depth += 1;
        self.visit_body(body);
        self.depth -= 1;
    }

    /// `for x in items: if x... == key: return/break`: a search that a dict keyed by that value answers at once.
    fn linear_search(&mut self, f: &ast::StmtFor) {
        let Expr::Name(var) = &*f.target else { return };
        let [Stmt::If(i)] = f.body.as_slice() else {
            return;
        };
        let Expr::Compare(c) = &*i.test else { return };
        let uses_var = |e: &Expr| match e {
            Expr::Name(n) => n.id == var.id,
            Expr::Attribute(a) => matches!(&*a.value, Expr::Name(n) if n.id == var.id),
            Expr::Subscript(s) => matches!(&*s.value, Expr::Name(n) if n.id == var.id),
            _ => false,
        };
        let exits = i
            .body
            .iter()
            .any(|s| matches!(s, Stmt::Return(_) | Stmt::Break(_)));
        if exits && c.ops.as_ref() == [CmpOp::Eq] && uses_var(&c.left) {
            let items = match &*f.iter {
                Expr::Name(n) => n.id.to_string(),
                _ => "the items".into(),
            };
            self.push(
                self.m.line_of(f),
                format!("a linear search of {items} for a matching item"),
                "each lookup scans the items: O(n) per lookup, O(n·m) for m lookups",
                format!(
                    "index {items} once in a dict keyed by the value compared (`{{key: item}}`): O(1) per lookup"
                ),
            );
        }
    }
}

impl<'a> Visitor<'a> for Scan<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.scope(&f.body);
                return;
            }
            Stmt::For(f) => {
                self.linear_search(f);
                self.visit_expr(&f.iter);
                self.loop_body(&f.body);
                self.visit_body(&f.orelse);
                return;
            }
            Stmt::While(w) => {
                self.depth += 1;
                self.visit_expr(&w.test);
                self.visit_body(&w.body);
                self.depth -= 1;
                self.visit_body(&w.orelse);
                return;
            }
            Stmt::AugAssign(a) if self.depth > 0 && a.op == Operator::Add => {
                let string_target =
                    matches!(&*a.target, Expr::Name(n) if self.strings.contains(n.id.as_str()));
                let string_value = matches!(&*a.value, Expr::StringLiteral(_) | Expr::FString(_));
                if string_target || string_value {
                    let name = match &*a.target {
                        Expr::Name(n) => n.id.to_string(),
                        _ => "a string".into(),
                    };
                    self.push(
                        self.m.line_of(a),
                        format!("`{name} += ...` builds a string in a loop"),
                        "each += may copy the whole string built so far: O(n²) over the loop",
                        "append the parts to a list and `\"\".join(parts)` once after the loop: O(n)".into(),
                    );
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. }) => {
                // The first iterable is evaluated once, outside the comprehension's loop.
                if let Some(g) = generators.first() {
                    self.visit_expr(&g.iter);
                }
                self.depth += 1;
                match e {
                    Expr::ListComp(c) => self.visit_expr(&c.elt),
                    Expr::SetComp(c) => self.visit_expr(&c.elt),
                    Expr::Generator(c) => self.visit_expr(&c.elt),
                    Expr::DictComp(c) => {
                        if let Some(k) = &c.key {
                            self.visit_expr(k);
                        }
                        self.visit_expr(&c.value);
                    }
                    _ => {}
                }
                for (i, g) in generators.iter().enumerate() {
                    if i > 0 {
                        self.visit_expr(&g.iter);
                    }
                    for cond in &g.ifs {
                        self.visit_expr(cond);
                    }
                }
                self.depth -= 1;
                return;
            }
            Expr::Compare(c) if self.depth > 0 => {
                for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
                    if matches!(op, CmpOp::In | CmpOp::NotIn)
                        && let Expr::Name(n) = right
                        && self.lists.contains(n.id.as_str())
                    {
                        let name = n.id.as_str();
                        self.push(
                            self.m.line_of(c),
                            format!("membership test `in {name}` on a list inside a loop"),
                            "each test scans the list: O(n) per test, O(n·m) for the loop",
                            format!(
                                "keep a set beside (or instead of) the list (`{name}_set = set({name})`, add to \
                                 both) and test `in {name}_set`: O(1) per test"
                            ),
                        );
                    }
                }
            }
            Expr::Call(c) => {
                if let Expr::Attribute(a) = &*c.func {
                    let attr = a.attr.id.as_str();
                    let obj = match &*a.value {
                        Expr::Name(n) => n.id.to_string(),
                        _ => "the list".into(),
                    };
                    let first_is_zero = matches!(
                        c.arguments.args.first(),
                        Some(Expr::NumberLiteral(n)) if matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0))
                    );
                    match attr {
                        "pop" if first_is_zero && c.arguments.args.len() == 1 => self.push(
                            self.m.line_of(c),
                            format!("`{obj}.pop(0)`: a list used as a queue"),
                            "removing the first item shifts every other one: O(n) per pop, O(n²) to drain",
                            format!(
                                "make {obj} a `collections.deque` and take items with `popleft()`: O(1)"
                            ),
                        ),
                        "insert" if first_is_zero && c.arguments.args.len() == 2 => self.push(
                            self.m.line_of(c),
                            format!("`{obj}.insert(0, ...)`: adding at the front of a list"),
                            "every insert shifts the whole list: O(n) per insert",
                            format!("make {obj} a `collections.deque` and use `appendleft()`: O(1)"),
                        ),
                        "sort" if self.depth > 0 => self.push(
                            self.m.line_of(c),
                            format!("`{obj}.sort()` inside a loop"),
                            "a sort per iteration: O(n log n) each time",
                            "keep the items ordered as they change (`heapq` for the smallest or largest, \
                             `bisect.insort` for a sorted list), or sort once after the loop"
                                .into(),
                        ),
                        "index" | "count" if self.depth > 0 && self.lists.contains(obj.as_str()) => {
                            self.push(
                                self.m.line_of(c),
                                format!("`{obj}.{attr}(...)` on a list inside a loop"),
                                "each call scans the list: O(n) per call",
                                if attr == "count" {
                                    "count once with `collections.Counter(...)`: O(1) per lookup after".into()
                                } else {
                                    format!("index {obj} once in a dict of value to position: O(1) per lookup")
                                },
                            )
                        }
                        _ => {}
                    }
                }
                if self.depth > 0 && matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "sorted")
                {
                    self.push(
                        self.m.line_of(c),
                        "`sorted(...)` inside a loop".into(),
                        "a sort per iteration: O(n log n) each time",
                        "keep the items ordered as they change (`heapq`, `bisect.insort`), or sort once outside \
                         the loop"
                            .into(),
                    );
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, e);
    }
}

/// The data-structure change for an allocation site: (pattern, fix). None when the line is not in the module.
pub fn memory_pattern(m: &SourceModule, line: u32) -> Option<(String, String)> {
    let body = m.body()?;
    let mut f = SiteFinder {
        m,
        line,
        class: None,
        classes: Vec::new(),
        found: Vec::new(),
    };
    f.visit_body(body);
    let slotted = |name: &str| f.classes.iter().any(|(c, slots)| c == name && *slots);
    let known = |name: &str| f.classes.iter().any(|(c, _)| c == name);
    // The most specific fact about the line first.
    for site in &f.found {
        if let Site::Instance(class) = site
            && known(class)
            && !slotted(class)
        {
            return Some((
                format!("instances of `{class}`, each with its own attribute dict"),
                format!(
                    "declare `__slots__` on `{class}` (or `@dataclass(slots=True)`): no per-instance dict, about \
                     half the memory per object, fewer objects for the collector"
                ),
            ));
        }
    }
    // Then the most specific of what the line builds.
    if let Some(class) = f.found.iter().find_map(|s| match s {
        Site::InInit(c) if !slotted(c) => Some(c),
        _ => None,
    }) {
        return Some((
            format!("attributes set on every `{class}` instance"),
            format!(
                "declare `__slots__` on `{class}`; a dict or list per instance is one more object each: store the \
                 values as attributes or a tuple"
            ),
        ));
    }
    if f.found.iter().any(|s| matches!(s, Site::Dict)) {
        return Some((
            "a dict built per record".into(),
            "a tuple, a namedtuple or a class with `__slots__` per record: a dict costs hundreds of bytes".into(),
        ));
    }
    if f.found.iter().any(|s| matches!(s, Site::NumberList)) {
        return Some((
            "a list of numbers".into(),
            "`array.array('d')` or a NumPy array: 8 bytes per number instead of a 24-byte float object and an \
             8-byte pointer"
                .into(),
        ));
    }
    if f.found.iter().any(|s| matches!(s, Site::ListComp)) {
        return Some((
            "a list built in full".into(),
            "a generator expression when it is iterated once: one item alive at a time".into(),
        ));
    }
    Some((
        "many objects allocated here and kept alive".into(),
        "keep fewer alive at once (stream them with generators) or pack them (array, NumPy, `__slots__`)".into(),
    ))
}

enum Site {
    Instance(String),
    InInit(String),
    Dict,
    NumberList,
    ListComp,
}

struct SiteFinder<'m> {
    m: &'m SourceModule,
    line: u32,
    /// The class whose `__init__` is being read.
    class: Option<String>,
    /// Every class of the module, and whether it declares `__slots__`.
    classes: Vec<(String, bool)>,
    found: Vec<Site>,
}

impl<'a> Visitor<'a> for SiteFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::ClassDef(c) => {
                let slots = c.body.iter().any(|s| match s {
                    Stmt::Assign(a) => a
                        .targets
                        .iter()
                        .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__slots__")),
                    _ => false,
                }) || c.decorator_list.iter().any(|d| {
                    matches!(&d.expression, Expr::Call(call)
                        if call.arguments.keywords.iter().any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "slots")))
                });
                self.classes.push((c.name.id.to_string(), slots));
                let saved = self.class.replace(c.name.id.to_string());
                visitor::walk_stmt(self, stmt);
                self.class = saved;
                return;
            }
            Stmt::FunctionDef(f) if f.name.as_str() != "__init__" => {
                let saved = self.class.take();
                visitor::walk_stmt(self, stmt);
                self.class = saved;
                return;
            }
            Stmt::Assign(a) if self.covers(stmt) => {
                if let Some(class) = &self.class
                    && a.targets.iter().any(|t| {
                        matches!(t, Expr::Attribute(at) if matches!(&*at.value, Expr::Name(n) if n.id.as_str() == "self"))
                    })
                {
                    self.found.push(Site::InInit(class.clone()));
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        if self.m.line_of(e) <= self.line && self.line <= self.m.last_line_of(e) {
            match e {
                Expr::Call(c) => {
                    if let Expr::Name(n) = &*c.func
                        && n.id
                            .chars()
                            .next()
                            .is_some_and(|ch| ch.is_ascii_uppercase())
                    {
                        self.found.push(Site::Instance(n.id.to_string()));
                    }
                    if let Expr::Attribute(a) = &*c.func
                        && a.attr.id.as_str() == "append"
                        && c.arguments.args.first().is_some_and(is_number_expr)
                    {
                        self.found.push(Site::NumberList);
                    }
                }
                Expr::Dict(_) | Expr::DictComp(_) => self.found.push(Site::Dict),
                Expr::ListComp(l) if is_number_expr(&l.elt) => self.found.push(Site::NumberList),
                Expr::ListComp(_) => self.found.push(Site::ListComp),
                _ => {}
            }
        }
        visitor::walk_expr(self, e);
    }
}

impl SiteFinder<'_> {
    fn covers(&self, s: &Stmt) -> bool {
        self.m.line_of(s) <= self.line && self.line <= self.m.last_line_of(s)
    }
}

/// Arithmetic or a number: what makes a float or int object per element.
fn is_number_expr(e: &Expr) -> bool {
    matches!(e, Expr::BinOp(_) | Expr::NumberLiteral(_))
        || matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "float"))
}

/// The findings of a run: the algorithmic patterns in every source file the profile reached, with the on-CPU
/// share of their lines (`line_shares`, None without a profile), and the data-structure change for each of the
/// program's own top allocation `sites` (given only for a memory-bound program). Hottest first.
pub fn collect(
    sources: &mut super::regions::Sources,
    line_shares: Option<&std::collections::HashMap<(String, u32), f64>>,
    sites: &[super::profile::Site],
    cls: &super::hotspots::Classifier,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in 0..sources.modules.len() {
        let file = sources.names[i].clone();
        for (line, pattern, why, fix) in algorithm_patterns(&sources.modules[i]) {
            out.push(Finding {
                kind: Kind::Algorithm,
                share: line_shares
                    .and_then(|s| s.get(&(file.clone(), line)))
                    .copied()
                    .unwrap_or(0.0),
                file: file.clone(),
                line,
                pattern,
                why,
                fix,
            });
        }
    }
    let total: u64 = sites.iter().map(|s| s.size_bytes).sum();
    let own = |s: &&super::profile::Site| {
        !cls.is_library(&super::sampler::Frame {
            function: String::new(),
            file: s.file.clone(),
            line: s.line,
        }) && !cls.is_bootstrap(&super::sampler::Frame {
            function: String::new(),
            file: s.file.clone(),
            line: s.line,
        })
    };
    // The top three of the program's own sites that hold a real part of the bytes.
    let big = |s: &&super::profile::Site| s.size_bytes as f64 >= HOT_SHARE * total as f64;
    for site in sites.iter().filter(own).filter(big).take(3) {
        let i = sources.index(&site.file);
        if let Some((pattern, fix)) = memory_pattern(&sources.modules[i], site.line) {
            out.push(Finding {
                kind: Kind::Memory,
                file: site.file.clone(),
                line: site.line,
                pattern,
                why: format!(
                    "{} blocks, {:.1} MiB in the sampled windows ({:.0}% of the bytes sampled)",
                    site.count,
                    site.size_bytes as f64 / 1048576.0,
                    site.size_bytes as f64 / total.max(1) as f64 * 100.0
                ),
                fix,
                share: site.size_bytes as f64 / total.max(1) as f64,
            });
        }
    }
    // Hot algorithmic findings first (they come before any rung), then the memory ones, then the rest.
    let rank = |f: &Finding| match f.kind {
        Kind::Algorithm if f.share >= HOT_SHARE => 0,
        Kind::Memory => 1,
        Kind::Algorithm => 2,
    };
    out.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(b.share.total_cmp(&a.share))
            .then_with(|| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
def f(items, keys):
    seen = []
    found = set()
    out = ""
    for k in keys:
        if k in seen:
            continue
        if k in found:
            continue
        seen.append(k)
        out += str(k)
        items.sort()
    q = [1, 2]
    while q:
        q.pop(0)
        q.insert(0, 3)
        q.pop()
    return out

def find(records, key):
    for r in records:
        if r.key == key:
            return r

class P:
    def __init__(self, x):
        self.x = x

class S:
    __slots__ = ("x",)
    def __init__(self, x):
        self.x = x

ps = [P(i) for i in range(10)]
ss = [S(i) for i in range(10)]
fs = [i * 0.5 for i in range(10)]
ds = [{"k": i} for i in range(10)]
"#;

    #[test]
    fn patterns_are_found_on_their_lines_and_sets_are_not_flagged() {
        let m = SourceModule::parse("t.py", SRC.to_string());
        let found: Vec<(u32, String)> = algorithm_patterns(&m)
            .into_iter()
            .map(|(l, p, _, _)| (l, p))
            .collect();
        let at = |line: u32, what: &str| found.iter().any(|(l, p)| *l == line && p.contains(what));
        assert!(at(7, "in seen"), "{found:?}");
        assert!(
            !found.iter().any(|(l, _)| *l == 9),
            "a set is not flagged: {found:?}"
        );
        assert!(at(12, "out += "), "{found:?}");
        assert!(at(13, "items.sort()"), "{found:?}");
        assert!(at(16, "q.pop(0)"), "{found:?}");
        assert!(at(17, "q.insert(0, ...)"), "{found:?}");
        assert!(
            !found.iter().any(|(l, _)| *l == 18),
            "pop() from the end is fine: {found:?}"
        );
        assert!(at(22, "linear search of records"), "{found:?}");
        assert_eq!(found.len(), 6, "{found:?}");
    }

    #[test]
    fn allocation_sites_get_the_change_that_fits_them() {
        let m = SourceModule::parse("t.py", SRC.to_string());
        let fix = |line| memory_pattern(&m, line).unwrap().1;
        assert!(fix(35).contains("`__slots__` on `P`"), "{}", fix(35));
        assert!(fix(28).contains("`__slots__` on `P`"), "{}", fix(28));
        // S has slots already: its instances get the generic advice, not __slots__ again.
        assert!(!fix(36).contains("`__slots__` on `S`"), "{}", fix(36));
        assert!(fix(37).contains("array"), "{}", fix(37));
        assert!(fix(38).contains("tuple"), "{}", fix(38));
    }
}
