//! Source traits of the hot functions, read with ruff's Python parser (3.10-3.14 syntax): what kind of work the
//! hot code does, which is what the study's decision tree branches on (numeric loops, vectorizable math, typed
//! code, pure Python without C extensions, dict/JSON-heavy), plus the landmines it names (Cython's `**` with a
//! float exponent and per-division zero checks; the dynamic patterns mypyc cannot speed up).
//!
//! Everything here is syntactic: a trait says what the code *looks* like. The decision tree weighs it with the
//! measured profile, never alone.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Operator, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;
use serde::Serialize;
use std::collections::BTreeSet;

/// Packages whose modules are (or are built on) C extensions: under PyPy they go through cpyext, which is slow or
/// missing. A name list, because the module may not even be importable from here.
const C_EXTENSION_PACKAGES: &[&str] = &[
    "numpy",
    "scipy",
    "pandas",
    "polars",
    "pyarrow",
    "torch",
    "tensorflow",
    "jax",
    "sklearn",
    "lxml",
    "orjson",
    "ujson",
    "msgspec",
    "simdjson",
    "PIL",
    "cv2",
    "numba",
    "psycopg2",
    "grpc",
    "cryptography",
    "regex",
    "shapely",
    "h5py",
    "matplotlib",
    "pydantic_core",
    "yaml",
    "zstandard",
    "lz4",
];

/// What one function's source looks like.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FunctionTraits {
    /// Lines of the definition (1-based, inclusive); the module's extent for `<module>`.
    pub first_line: u32,
    pub last_line: u32,
    pub loops: u32,
    pub max_loop_depth: u32,
    /// Arithmetic operations (+ - * / // % ** on operands that are not strings) inside loops.
    pub arithmetic_in_loops: u32,
    /// Subscripts (`a[i]`) inside loops.
    pub subscripts_in_loops: u32,
    /// Calls of `math.*` inside loops.
    pub math_calls_in_loops: u32,
    /// Element-wise loops and comprehensions (`out[i] = f(a[i], b[i])`, `[x * k for x in xs]`,
    /// `sum(a[j] * b[j] for j ...)`, `acc += a[i] * b[i]`): what NumPy expresses as one array operation.
    /// Their extents, first and last line.
    pub elementwise: Vec<[u32; 2]>,
    /// Uses the NumPy module (by whatever alias it was imported as).
    pub numpy_calls: u32,
    /// Dict displays, dict comprehensions and `dict(...)` calls inside loops.
    pub dicts_in_loops: u32,
    /// f-strings, `.format`, `.join`, `str(...)` and string `+` inside loops.
    pub strings_in_loops: u32,
    /// Calls of classes defined in the module (or capitalised names) inside loops.
    pub objects_in_loops: u32,
    /// `json.loads`, `json.dumps`, `json.load`, `json.dump` calls (line numbers).
    pub json_calls: Vec<u32>,
    pub recursive: bool,
    /// Annotated parameters and return, out of all (self/cls excluded).
    pub annotated: u32,
    pub annotatable: u32,
    /// `x ** <float literal>` (Cython's landmine: a slow pow() dispatch instead of sqrt()/multiplies).
    pub pow_float_exponent: Vec<u32>,
    /// Divisions inside loops (Cython without `cdivision=True` checks each one for zero).
    pub divisions_in_loops: u32,
    /// `**kwargs`, `getattr`/`setattr`, `eval`/`exec`: dynamic code mypyc compiles to slow generic paths.
    pub dynamic: Vec<String>,
    /// Extents (first and last line) of the function's loops and comprehensions: where a hot region starts.
    pub loop_extents: Vec<[u32; 2]>,
}

/// What the module around the hot functions imports.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ModuleTraits {
    pub file: String,
    /// Top-level packages imported that are C extensions (a PyPy risk).
    pub c_extensions: Vec<String>,
    /// Functions annotated fully / functions defined.
    pub functions: u32,
    pub fully_annotated_functions: u32,
    /// Present when the file could not be read or parsed (the reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A parsed module, kept so several hot functions of one file are read once.
pub struct SourceModule {
    pub traits: ModuleTraits,
    text: String,
    parsed: Option<ruff_python_parser::Parsed<ast::ModModule>>,
    index: LineIndex,
    numpy_aliases: BTreeSet<String>,
    json_aliases: BTreeSet<String>,
    /// Names bound directly to json.loads/dumps (`from json import loads`).
    json_functions: BTreeSet<String>,
    classes: BTreeSet<String>,
}

impl SourceModule {
    pub fn read(path: &std::path::Path) -> SourceModule {
        match std::fs::read_to_string(path) {
            Ok(text) => SourceModule::parse(&path.display().to_string(), text),
            Err(e) => SourceModule::failed(&path.display().to_string(), format!("reading: {e}")),
        }
    }

    fn failed(file: &str, error: String) -> SourceModule {
        SourceModule {
            traits: ModuleTraits {
                file: file.to_string(),
                error: Some(error),
                ..ModuleTraits::default()
            },
            text: String::new(),
            parsed: None,
            index: LineIndex::from_source_text(""),
            numpy_aliases: BTreeSet::new(),
            json_aliases: BTreeSet::new(),
            json_functions: BTreeSet::new(),
            classes: BTreeSet::new(),
        }
    }

    pub fn parse(file: &str, text: String) -> SourceModule {
        let parsed = match ruff_python_parser::parse_module(&text) {
            Ok(p) => p,
            Err(e) => return SourceModule::failed(file, format!("parsing: {e}")),
        };
        let index = LineIndex::from_source_text(&text);
        let mut imports = Imports::default();
        imports.visit_body(&parsed.syntax().body);
        let mut c_extensions: Vec<String> = imports
            .top_level
            .iter()
            .filter(|m| C_EXTENSION_PACKAGES.contains(&m.as_str()))
            .cloned()
            .collect();
        c_extensions.dedup();
        let traits = ModuleTraits {
            file: file.to_string(),
            c_extensions,
            functions: imports.functions,
            fully_annotated_functions: imports.fully_annotated,
            error: None,
        };
        SourceModule {
            traits,
            numpy_aliases: imports.numpy_aliases,
            json_aliases: imports.json_aliases,
            json_functions: imports.json_functions,
            classes: imports.classes,
            text,
            parsed: Some(parsed),
            index,
        }
    }

    fn line(&self, r: &impl Ranged) -> u32 {
        self.index.line_index(r.start()).get() as u32
    }

    fn last_line(&self, r: &impl Ranged) -> u32 {
        self.index.line_index(r.end()).get() as u32
    }

    /// The traits of function `name` containing `line` (the innermost such definition), or of the module's
    /// top-level code for `<module>`. None when no such function is in the file.
    pub fn function(&self, name: &str, line: u32) -> Option<FunctionTraits> {
        self.function_at_depth(name, line, 0)
    }

    /// [`SourceModule::function`] read as if its body ran inside a loop: a helper called from a hot loop, whose
    /// arithmetic, dicts and strings are the loop's.
    pub fn function_in_loop(&self, name: &str, line: u32) -> Option<FunctionTraits> {
        self.function_at_depth(name, line, 1)
    }

    fn function_at_depth(&self, name: &str, line: u32, depth: u32) -> Option<FunctionTraits> {
        let parsed = self.parsed.as_ref()?;
        // py-spy gives qualified names (`Class.method`, `outer.<locals>.inner`); definitions carry the last part.
        let name = name.rsplit('.').next().unwrap_or(name);
        let body = &parsed.syntax().body;
        if name == "<module>" {
            let mut w = Walker::new(self, None);
            w.depth = depth;
            for s in body {
                if !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                    w.visit_stmt(s);
                }
            }
            w.t.first_line = 1;
            w.t.last_line = self.index.line_count() as u32;
            return Some(w.t);
        }
        let mut finder = FindDef {
            module: self,
            name,
            line,
            found: None,
        };
        finder.visit_body(body);
        let def = finder.found?;
        let mut w = Walker::new(self, Some(name));
        w.depth = depth;
        let params = &def.parameters;
        let all: Vec<&ast::Parameter> = params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .chain(&params.kwonlyargs)
            .map(|p| &p.parameter)
            .chain(params.vararg.as_deref())
            .chain(params.kwarg.as_deref())
            .filter(|p| !matches!(p.name.id.as_str(), "self" | "cls"))
            .collect();
        w.t.annotatable = all.len() as u32 + 1;
        w.t.annotated = all.iter().filter(|p| p.annotation.is_some()).count() as u32
            + def.returns.is_some() as u32;
        if params.kwarg.is_some() {
            w.t.dynamic.push("**kwargs".into());
        }
        w.visit_body(&def.body);
        w.t.first_line = self.line(def);
        w.t.last_line = self.index.line_index(def.end()).get() as u32;
        Some(w.t)
    }
}

impl FunctionTraits {
    /// The traits in words, for the JSON contract's `traits` list and the terminal.
    pub fn labels(&self, module: &ModuleTraits) -> Vec<String> {
        let mut v = Vec::new();
        if self.is_numeric() {
            v.push(if self.max_loop_depth >= 2 {
                "numeric-loop (nested)".to_string()
            } else {
                "numeric-loop".to_string()
            });
        }
        if !self.elementwise.is_empty() {
            let lines: Vec<String> = self.elementwise.iter().map(|r| r[0].to_string()).collect();
            v.push(format!("vectorizable (line {})", lines.join(", ")));
        }
        if self.numpy_calls > 0 {
            v.push("numpy".into());
        }
        if !self.json_calls.is_empty() {
            v.push("json".into());
        }
        if self.dicts_in_loops > 0 {
            v.push("dict-churn".into());
        }
        if self.strings_in_loops > 0 {
            v.push("str-churn".into());
        }
        if self.objects_in_loops > 0 {
            v.push("object-churn".into());
        }
        if self.recursive {
            v.push("recursion".into());
        }
        if self.annotatable > 0 {
            v.push(format!(
                "annotations {}/{}",
                self.annotated, self.annotatable
            ));
        }
        if !module.c_extensions.is_empty() {
            v.push(format!("c-extensions: {}", module.c_extensions.join(", ")));
        }
        if !self.pow_float_exponent.is_empty() {
            v.push("cython-landmine: ** with a float exponent".into());
        }
        if !self.dynamic.is_empty() {
            v.push(format!("dynamic: {}", self.dynamic.join(", ")));
        }
        v
    }

    /// Numeric-looking code: arithmetic in loops, and more of it than dict, string and object work.
    pub fn is_numeric(&self) -> bool {
        self.arithmetic_in_loops >= 3
            && self.arithmetic_in_loops
                >= 2 * (self.dicts_in_loops + self.strings_in_loops + self.objects_in_loops)
    }

    pub fn fully_annotated(&self) -> bool {
        self.annotatable > 0 && self.annotated == self.annotatable
    }

    /// The innermost loop (or comprehension) containing `line`.
    pub fn loop_at(&self, line: u32) -> Option<[u32; 2]> {
        self.loop_extents
            .iter()
            .filter(|r| (r[0]..=r[1]).contains(&line))
            .min_by_key(|r| r[1] - r[0])
            .copied()
    }

    /// Adds what a helper called from this function's hot loop does (read with
    /// [`SourceModule::function_in_loop`]): the work is the loop's. Extents stay this function's.
    pub fn absorb(&mut self, helper: &FunctionTraits) {
        self.arithmetic_in_loops += helper.arithmetic_in_loops;
        self.subscripts_in_loops += helper.subscripts_in_loops;
        self.math_calls_in_loops += helper.math_calls_in_loops;
        self.dicts_in_loops += helper.dicts_in_loops;
        self.strings_in_loops += helper.strings_in_loops;
        self.objects_in_loops += helper.objects_in_loops;
        self.numpy_calls += helper.numpy_calls;
        self.divisions_in_loops += helper.divisions_in_loops;
        self.recursive |= helper.recursive;
        self.annotated += helper.annotated;
        self.annotatable += helper.annotatable;
        self.json_calls.extend(&helper.json_calls);
        for d in &helper.dynamic {
            if !self.dynamic.contains(d) {
                self.dynamic.push(d.clone());
            }
        }
    }
}

#[derive(Default)]
struct Imports {
    top_level: Vec<String>,
    numpy_aliases: BTreeSet<String>,
    json_aliases: BTreeSet<String>,
    json_functions: BTreeSet<String>,
    classes: BTreeSet<String>,
    functions: u32,
    fully_annotated: u32,
}

impl<'a> Visitor<'a> for Imports {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(i) => {
                for a in &i.names {
                    let name = a.name.id.as_str();
                    let top = name.split('.').next().unwrap_or(name).to_string();
                    let bound = a.asname.as_ref().map_or(top.as_str(), |n| n.id.as_str());
                    if name == "numpy" {
                        self.numpy_aliases.insert(bound.to_string());
                    }
                    if name == "json" {
                        self.json_aliases.insert(bound.to_string());
                    }
                    self.top_level.push(top);
                }
            }
            Stmt::ImportFrom(i) if i.level == 0 => {
                if let Some(m) = &i.module {
                    let m = m.id.as_str();
                    let top = m.split('.').next().unwrap_or(m).to_string();
                    for a in &i.names {
                        let bound = a.asname.as_ref().unwrap_or(&a.name).id.as_str();
                        if m == "json"
                            && matches!(a.name.id.as_str(), "loads" | "dumps" | "load" | "dump")
                        {
                            self.json_functions.insert(bound.to_string());
                        }
                        if top == "numpy" {
                            self.numpy_aliases.insert(bound.to_string());
                        }
                    }
                    self.top_level.push(top);
                }
            }
            Stmt::ClassDef(c) => {
                self.classes.insert(c.name.id.to_string());
            }
            Stmt::FunctionDef(f) => {
                self.functions += 1;
                let p = &f.parameters;
                let all_annotated = p
                    .posonlyargs
                    .iter()
                    .chain(&p.args)
                    .chain(&p.kwonlyargs)
                    .filter(|a| !matches!(a.parameter.name.id.as_str(), "self" | "cls"))
                    .all(|a| a.parameter.annotation.is_some())
                    && f.returns.is_some();
                self.fully_annotated += all_annotated as u32;
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }
}

struct FindDef<'m, 'a> {
    module: &'m SourceModule,
    name: &'m str,
    line: u32,
    found: Option<&'a ast::StmtFunctionDef>,
}

impl<'a> Visitor<'a> for FindDef<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(f) = stmt {
            let first = self.module.line(f);
            let last = self.module.index.line_index(f.end()).get() as u32;
            // The innermost definition containing the line wins: later (nested) matches replace earlier ones.
            if f.name.id.as_str() == self.name && (first..=last).contains(&self.line) {
                self.found = Some(f);
            }
        }
        visitor::walk_stmt(self, stmt);
    }
}

struct Walker<'m> {
    module: &'m SourceModule,
    name: Option<&'m str>,
    depth: u32,
    t: FunctionTraits,
}

impl<'m> Walker<'m> {
    fn new(module: &'m SourceModule, name: Option<&'m str>) -> Walker<'m> {
        Walker {
            module,
            name,
            depth: 0,
            t: FunctionTraits::default(),
        }
    }

    fn is_numpy(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(n) => self.module.numpy_aliases.contains(n.id.as_str()),
            Expr::Attribute(a) => self.is_numpy(&a.value),
            _ => false,
        }
    }

    fn in_loop(&self) -> bool {
        self.depth > 0
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::StringLiteral(_) | Expr::FString(_))
}

fn is_arith(op: Operator) -> bool {
    matches!(
        op,
        Operator::Add
            | Operator::Sub
            | Operator::Mult
            | Operator::Div
            | Operator::FloorDiv
            | Operator::Mod
            | Operator::Pow
    )
}

/// `name` when `e` is that bare name.
fn name_of(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        _ => None,
    }
}

/// Every subscript in `e` is indexed by exactly `var`, `e` contains arithmetic or a math call, and nothing in it
/// is control flow or a non-math call: an element-wise expression over the loop variable.
fn elementwise_expr(e: &Expr, var: &str) -> bool {
    struct Check<'v> {
        var: &'v str,
        ok: bool,
        arith: bool,
        uses_var: bool,
    }
    impl<'a> Visitor<'a> for Check<'_> {
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Subscript(s) if name_of(&s.slice) != Some(self.var) => self.ok = false,
                Expr::Name(n) if n.id.as_str() == self.var => self.uses_var = true,
                Expr::BinOp(b) if is_arith(b.op) => self.arith = true,
                Expr::Call(c) => match &*c.func {
                    Expr::Attribute(a) if name_of(&a.value) == Some("math") => self.arith = true,
                    Expr::Name(n) if matches!(n.id.as_str(), "abs" | "float" | "min" | "max") => {}
                    _ => self.ok = false,
                },
                Expr::If(_)
                | Expr::BoolOp(_)
                | Expr::Compare(_)
                | Expr::Lambda(_)
                | Expr::ListComp(_)
                | Expr::Generator(_)
                | Expr::Dict(_)
                | Expr::StringLiteral(_)
                | Expr::FString(_) => self.ok = false,
                _ => {}
            }
            visitor::walk_expr(self, e);
        }
    }
    let mut c = Check {
        var,
        ok: true,
        arith: false,
        uses_var: false,
    };
    c.visit_expr(e);
    c.ok && c.arith && c.uses_var
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // Nested definitions are their own functions.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::For(f) => {
                self.t.loops += 1;
                self.t
                    .loop_extents
                    .push([self.module.line(f), self.module.last_line(f)]);
                // `for i in range(...)` whose body only assigns element-wise expressions of a[i].
                if let (Some(var), Expr::Call(c)) = (name_of(&f.target), &*f.iter)
                    && name_of(&c.func) == Some("range")
                    && !f.body.is_empty()
                    && f.body.iter().all(|s| match s {
                        Stmt::Assign(a) => {
                            a.targets.iter().all(|t| match t {
                                Expr::Subscript(s) => name_of(&s.slice) == Some(var),
                                _ => false,
                            }) && elementwise_expr(&a.value, var)
                        }
                        Stmt::AugAssign(a) => {
                            (matches!(&*a.target, Expr::Name(_))
                                || matches!(&*a.target, Expr::Subscript(s) if name_of(&s.slice) == Some(var)))
                                && elementwise_expr(&a.value, var)
                        }
                        _ => false,
                    })
                {
                    self.t.elementwise.push([self.module.line(f), self.module.last_line(f)]);
                }
                self.visit_expr(&f.iter);
                self.depth += 1;
                self.t.max_loop_depth = self.t.max_loop_depth.max(self.depth);
                self.visit_body(&f.body);
                self.depth -= 1;
                self.visit_body(&f.orelse);
                return;
            }
            Stmt::While(w) => {
                self.t.loops += 1;
                self.t
                    .loop_extents
                    .push([self.module.line(w), self.module.last_line(w)]);
                self.depth += 1;
                self.t.max_loop_depth = self.t.max_loop_depth.max(self.depth);
                self.visit_expr(&w.test);
                self.visit_body(&w.body);
                self.depth -= 1;
                self.visit_body(&w.orelse);
                return;
            }
            Stmt::AugAssign(a) if self.in_loop() && is_arith(a.op) => {
                if is_string_literal(&a.value) {
                    self.t.strings_in_loops += 1;
                } else {
                    self.t.arithmetic_in_loops += 1;
                    if a.op == Operator::Div {
                        self.t.divisions_in_loops += 1;
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        let in_loop = self.in_loop();
        match e {
            Expr::BinOp(b) if is_arith(b.op) => {
                let float_literal = |e: &Expr| matches!(e, Expr::NumberLiteral(n) if matches!(n.value, ast::Number::Float(_)));
                let float_exponent = match &*b.right {
                    Expr::UnaryOp(u) => float_literal(&u.operand),
                    e => float_literal(e),
                };
                if b.op == Operator::Pow && float_exponent {
                    self.t.pow_float_exponent.push(self.module.line(b));
                }
                if in_loop {
                    if is_string_literal(&b.left) || is_string_literal(&b.right) {
                        self.t.strings_in_loops += 1;
                    } else {
                        self.t.arithmetic_in_loops += 1;
                        if b.op == Operator::Div {
                            self.t.divisions_in_loops += 1;
                        }
                    }
                }
            }
            Expr::Subscript(_) if in_loop => self.t.subscripts_in_loops += 1,
            Expr::Dict(_) | Expr::DictComp(_) if in_loop => self.t.dicts_in_loops += 1,
            Expr::FString(_) if in_loop => self.t.strings_in_loops += 1,
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => {
                // `[f(x) for x in xs]` / `sum(a[j] * b[j] for j in ...)`: one generator, no filter.
                if let [g] = generators.as_slice()
                    && g.ifs.is_empty()
                    && let Some(var) = name_of(&g.target)
                    && elementwise_expr(elt, var)
                {
                    self.t
                        .elementwise
                        .push([self.module.line(e), self.module.last_line(e)]);
                }
                // A comprehension is a loop.
                self.t.loops += 1;
                self.t
                    .loop_extents
                    .push([self.module.line(e), self.module.last_line(e)]);
                self.depth += 1;
                self.t.max_loop_depth = self.t.max_loop_depth.max(self.depth);
                visitor::walk_expr(self, e);
                self.depth -= 1;
                return;
            }
            Expr::Call(c) => {
                let func = &*c.func;
                if let Expr::Attribute(a) = func {
                    let attr = a.attr.id.as_str();
                    if let Some(m) = name_of(&a.value)
                        && self.module.json_aliases.contains(m)
                        && matches!(attr, "loads" | "dumps" | "load" | "dump")
                    {
                        self.t.json_calls.push(self.module.line(c));
                    }
                    if in_loop && name_of(&a.value) == Some("math") {
                        self.t.math_calls_in_loops += 1;
                    }
                    if in_loop && matches!(attr, "format" | "join") {
                        self.t.strings_in_loops += 1;
                    }
                }
                if self.is_numpy(func) {
                    self.t.numpy_calls += 1;
                }
                if let Some(n) = name_of(func) {
                    if self.module.json_functions.contains(n) {
                        self.t.json_calls.push(self.module.line(c));
                    }
                    if Some(n) == self.name {
                        self.t.recursive = true;
                    }
                    if matches!(n, "getattr" | "setattr" | "eval" | "exec")
                        && !self.t.dynamic.iter().any(|d| d == n)
                    {
                        self.t.dynamic.push(n.to_string());
                    }
                    if in_loop {
                        match n {
                            "dict" => self.t.dicts_in_loops += 1,
                            "str" => self.t.strings_in_loops += 1,
                            _ if self.module.classes.contains(n)
                                || n.chars().next().is_some_and(|ch| ch.is_ascii_uppercase()) =>
                            {
                                self.t.objects_in_loops += 1
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, e);
    }
}

impl SourceModule {
    /// The module's statements, None when it could not be read or parsed.
    pub(super) fn body(&self) -> Option<&[Stmt]> {
        self.parsed.as_ref().map(|p| &p.syntax().body[..])
    }

    /// The 1-based line a node starts on.
    pub(super) fn line_of(&self, r: &impl Ranged) -> u32 {
        self.line(r)
    }

    /// The 1-based line a node ends on.
    pub(super) fn last_line_of(&self, r: &impl Ranged) -> u32 {
        self.last_line(r)
    }

    /// The text of line `n` (1-based), trimmed; empty when out of range.
    pub fn line_text(&self, n: u32) -> &str {
        self.text
            .lines()
            .nth(n.saturating_sub(1) as usize)
            .unwrap_or("")
            .trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traits(src: &str, name: &str, line: u32) -> (FunctionTraits, ModuleTraits) {
        let m = SourceModule::parse("t.py", src.to_string());
        (m.function(name, line).expect("function found"), m.traits)
    }

    #[test]
    fn numeric_nested_loop_with_a_float_power() {
        let src = "import math\n\ndef f(xs: list[float], n: int) -> float:\n    s = 0.0\n    for i in range(n):\n        for j in range(i + 1, n):\n            d = xs[i] - xs[j]\n            s += d * d / (d ** 1.5 + 1.0)\n    return s\n";
        let (t, m) = traits(src, "f", 8);
        assert_eq!(t.max_loop_depth, 2);
        assert!(t.arithmetic_in_loops >= 5, "{t:?}");
        assert_eq!(t.pow_float_exponent, vec![8]);
        assert!(t.fully_annotated());
        assert!(
            t.elementwise.is_empty(),
            "pairwise is not element-wise: {t:?}"
        );
        assert!(m.c_extensions.is_empty());
        let labels = t.labels(&m);
        assert!(
            labels.contains(&"numeric-loop (nested)".to_string()),
            "{labels:?}"
        );
    }

    #[test]
    fn elementwise_loops_and_comprehensions() {
        let src = "import math\nimport numpy as np\n\ndef g(a, b, out, n):\n    for i in range(n):\n        out[i] = a[i] * 2.0 + math.sqrt(b[i])\n    ys = [x * 3.0 + 1.0 for x in a]\n    t = sum(a[j] * b[j] for j in range(n))\n    return np.asarray(ys), t\n";
        let (t, m) = traits(src, "g", 6);
        assert_eq!(t.elementwise, vec![[5, 6], [7, 7], [8, 8]], "{t:?}");
        assert_eq!(t.numpy_calls, 1);
        assert_eq!(m.c_extensions, vec!["numpy".to_string()]);
        assert_eq!(t.annotated, 0);
        assert_eq!(t.annotatable, 5);
    }

    #[test]
    fn json_dicts_strings_recursion_and_dynamic_code() {
        let src = "import json\nfrom json import dumps as d\n\nclass Ev:\n    pass\n\ndef h(lines, **kw):\n    out = []\n    for line in lines:\n        e = json.loads(line)\n        out.append({'k': e['k'], 'tag': f\"{e['k']}!\"})\n        Ev()\n        getattr(e, 'x', None)\n    return d(out) + h([], **kw)\n";
        let (t, _) = traits(src, "h", 10);
        assert_eq!(t.json_calls, vec![10, 14]);
        assert_eq!(t.dicts_in_loops, 1);
        assert!(t.strings_in_loops >= 1);
        assert_eq!(t.objects_in_loops, 1);
        assert!(t.recursive);
        assert_eq!(
            t.dynamic,
            vec!["**kwargs".to_string(), "getattr".to_string()]
        );
    }

    #[test]
    fn unparsable_source_is_reported_not_fatal() {
        let m = SourceModule::parse("bad.py", "def (:\n".to_string());
        assert!(
            m.traits
                .error
                .as_deref()
                .unwrap_or("")
                .starts_with("parsing")
        );
        assert!(m.function("f", 1).is_none());
    }
}
