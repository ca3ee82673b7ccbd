//! Scalar functions: a table of [`Scalar`]s (name, NULL contract, overloads with named and typed
//! parameters, description, example) is what gets registered and what the documentation lists.
//!
//! Each overload's kernel is a plain Rust function over whole (flattened) vectors, so the per-row
//! work is a loop in Rust with no call into DuckDB except for long string results.

use std::ffi::c_void;

use libduckdb_sys as ffi;

use super::connection::Connection;
use super::error::{contain, Error, Sink};
use super::types::{Param, Type};
use super::vector::{InVector, OutVector};
use super::{cstring, drop_box};

/// One call of an overload over a chunk: the arguments (one vector per parameter), the number
/// of rows, and the result vector (with room for that many rows).
pub type Kernel = fn(args: &[InVector<'_>], rows: usize, out: OutVector<'_>) -> Result<(), Error>;

/// What a scalar gives when an argument is NULL. Every scalar states it, because DuckDB acts on
/// it: with the default handling it replaces a call by NULL whenever it can prove an argument
/// NULL (a NULL constant, or a column whose statistics say it holds only NULLs) and never runs
/// the kernel, so a kernel that answers for NULL input registered that way gives answers that
/// depend on the query plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullInput {
    /// NULL in any argument gives NULL (DuckDB's default; it may skip the call).
    GivesNull,
    /// The kernel decides what NULL arguments give, row by row (DuckDB always calls it).
    Answered,
}

impl NullInput {
    /// The contract in words, for the documentation.
    pub fn text(self) -> &'static str {
        match self {
            NullInput::GivesNull => "NULL in any argument gives NULL",
            NullInput::Answered => "answers for NULL arguments (never folded to NULL by DuckDB)",
        }
    }
}

/// One overload: parameters, result type, kernel.
#[derive(Clone, Copy)]
pub struct Overload {
    pub params: &'static [Param],
    pub returns: Type,
    pub kernel: Kernel,
}

/// A scalar function: everything registration and documentation need.
#[derive(Clone, Copy)]
pub struct Scalar {
    pub name: &'static str,
    pub null_input: NullInput,
    pub overloads: &'static [Overload],
    pub description: &'static str,
    /// A query that runs as is after LOAD.
    pub example: &'static str,
}

impl Scalar {
    /// The signature for the documentation: overloads that extend one another with optional
    /// parameters as one `f(a T [, b U [, c V = 2]]) -> R`, others joined with ` | `.
    pub fn signature(&self) -> String {
        let mut sorted: Vec<&Overload> = self.overloads.iter().collect();
        sorted.sort_by_key(|o| o.params.len());
        let chain = sorted.windows(2).all(|w| w[0].returns == w[1].returns && w[1].params.starts_with(w[0].params));
        let param = |p: &Param| match p.default {
            Some(d) => format!("{} {} = {d}", p.name, p.type_text()),
            None => format!("{} {}", p.name, p.type_text()),
        };
        if chain && sorted.len() > 1 {
            let longest = sorted[sorted.len() - 1];
            let mut text = sorted[0].params.iter().map(param).collect::<Vec<_>>().join(", ");
            let mut closing = String::new();
            for w in sorted.windows(2) {
                for p in &w[1].params[w[0].params.len()..] {
                    let sep = if text.is_empty() { "" } else { ", " };
                    text.push_str(&format!(" [{sep}{}", param(p)));
                    closing.push(']');
                }
            }
            let text = text.trim_start().to_string();
            return format!("{}({text}{closing}) -> {}", self.name, longest.returns.sql());
        }
        // Longest first: the main form.
        sorted
            .iter()
            .rev()
            .map(|o| format!("{}({}) -> {}", self.name, o.params.iter().map(param).collect::<Vec<_>>().join(", "), o.returns.sql()))
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

unsafe extern "C" fn scalar_trampoline(info: ffi::duckdb_function_info, input: ffi::duckdb_data_chunk, output: ffi::duckdb_vector) {
    contain(Sink::Scalar(info), || {
        // SAFETY: DuckDB calls this with the live info of an overload registered by
        // `register_scalar` (whose extra info is a boxed Kernel), its flattened input chunk and
        // a result vector with room for the chunk's rows.
        unsafe {
            let kernel = *(ffi::duckdb_scalar_function_get_extra_info(info) as *const Kernel);
            let rows = ffi::duckdb_data_chunk_get_size(input) as usize;
            let n = ffi::duckdb_data_chunk_get_column_count(input);
            let args: Vec<InVector> = (0..n).map(|i| InVector::from_raw(ffi::duckdb_data_chunk_get_vector(input, i), rows)).collect();
            kernel(&args, rows, OutVector::from_raw(output, rows))
        }
    });
}

/// Registers `scalar` with all its overloads as one function set on `con`.
pub fn register_scalar(con: &Connection, scalar: &Scalar) -> Result<(), Error> {
    let name = cstring(scalar.name);
    // SAFETY: function objects we create, configure and destroy here; DuckDB copies what it
    // keeps and owns each overload's boxed kernel (freed with drop_box::<Kernel>).
    unsafe {
        let mut set = ffi::duckdb_create_scalar_function_set(name.as_ptr());
        for o in scalar.overloads {
            let mut f = ffi::duckdb_create_scalar_function();
            ffi::duckdb_scalar_function_set_name(f, name.as_ptr());
            for p in o.params {
                let t = p.ty.logical();
                ffi::duckdb_scalar_function_add_parameter(f, t.raw());
            }
            let returns = o.returns.logical();
            ffi::duckdb_scalar_function_set_return_type(f, returns.raw());
            if scalar.null_input == NullInput::Answered {
                ffi::duckdb_scalar_function_set_special_handling(f);
            }
            ffi::duckdb_scalar_function_set_function(f, Some(scalar_trampoline));
            let kernel: Box<Kernel> = Box::new(o.kernel);
            ffi::duckdb_scalar_function_set_extra_info(f, Box::into_raw(kernel) as *mut c_void, Some(drop_box::<Kernel>));
            let state = ffi::duckdb_add_scalar_function_to_set(set, f);
            ffi::duckdb_destroy_scalar_function(&mut f);
            if state != ffi::duckdb_state_DuckDBSuccess {
                ffi::duckdb_destroy_scalar_function_set(&mut set);
                return Err(Error::Register(format!("an overload of {}", scalar.name)));
            }
        }
        let state = ffi::duckdb_register_scalar_function_set(con.raw(), set);
        ffi::duckdb_destroy_scalar_function_set(&mut set);
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::Register(format!("scalar function {}", scalar.name)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(_: &[InVector<'_>], _: usize, _: OutVector<'_>) -> Result<(), Error> {
        Ok(())
    }

    const V: Type = Type::Varchar;
    const RESULT: &[Param] = &[Param::new("x_edge_result_type", V)];
    const STATUS: &[Param] = &[Param::new("x_edge_result_type", V), Param::new("sc_status", Type::Integer)];
    const LEVELS: &[Param] = &[Param::new("s", V), Param::optional("levels", Type::Integer, "2")];
    const S: &[Param] = &[Param::new("s", V)];

    #[test]
    fn signatures_nest_optional_parameters_and_join_alternatives() {
        let chained = Scalar {
            name: "is_waf_block",
            null_input: NullInput::Answered,
            overloads: &[
                Overload { params: STATUS, returns: Type::Boolean, kernel: k },
                Overload { params: RESULT, returns: Type::Boolean, kernel: k },
            ],
            description: "",
            example: "",
        };
        assert_eq!(chained.signature(), "is_waf_block(x_edge_result_type VARCHAR [, sc_status INTEGER]) -> BOOLEAN");
        let decode = Scalar {
            name: "url_decode_cf",
            overloads: &[Overload { params: S, returns: V, kernel: k }, Overload { params: LEVELS, returns: V, kernel: k }],
            ..chained
        };
        assert_eq!(decode.signature(), "url_decode_cf(s VARCHAR [, levels INTEGER = 2]) -> VARCHAR");
        let other = Scalar {
            name: "f",
            overloads: &[
                Overload { params: RESULT, returns: V, kernel: k },
                Overload { params: LEVELS, returns: Type::List(&V), kernel: k },
            ],
            ..chained
        };
        assert_eq!(other.signature(), "f(s VARCHAR, levels INTEGER = 2) -> VARCHAR[] | f(x_edge_result_type VARCHAR) -> VARCHAR");
        let none = Scalar { name: "v", overloads: &[Overload { params: &[], returns: V, kernel: k }], ..chained };
        assert_eq!(none.signature(), "v() -> VARCHAR");
    }
}
