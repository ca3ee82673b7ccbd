//! SQL types: [`Type`], the description our metadata tables write (constant, comparable,
//! printable), and [`LogicalType`], DuckDB's owned handle made from it.

use std::ffi::c_char;

use libduckdb_sys as ffi;

use super::cstring;

/// A SQL type as the function and column tables state it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// Any type (DuckDB's ANY: the function checks the value itself).
    Any,
    Boolean,
    Integer,
    BigInt,
    Double,
    Varchar,
    Date,
    Time,
    TimestampTz,
    List(&'static Type),
    Struct(&'static [(&'static str, Type)]),
}

impl Type {
    /// DuckDB's spelling: `VARCHAR[]`, `STRUCT(code VARCHAR, latitude DOUBLE)`.
    pub fn sql(&self) -> String {
        match self {
            Type::Any => "ANY".into(),
            Type::Boolean => "BOOLEAN".into(),
            Type::Integer => "INTEGER".into(),
            Type::BigInt => "BIGINT".into(),
            Type::Double => "DOUBLE".into(),
            Type::Varchar => "VARCHAR".into(),
            Type::Date => "DATE".into(),
            Type::Time => "TIME".into(),
            Type::TimestampTz => "TIMESTAMP WITH TIME ZONE".into(),
            Type::List(child) => format!("{}[]", child.sql()),
            Type::Struct(members) => {
                let inner: Vec<String> = members.iter().map(|(n, t)| format!("{n} {}", t.sql())).collect();
                format!("STRUCT({})", inner.join(", "))
            }
        }
    }

    /// DuckDB's type id of this type.
    pub(super) fn id(&self) -> ffi::DUCKDB_TYPE {
        match self {
            Type::Any => ffi::DUCKDB_TYPE_DUCKDB_TYPE_ANY,
            Type::Boolean => ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN,
            Type::Integer => ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER,
            Type::BigInt => ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT,
            Type::Double => ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE,
            Type::Varchar => ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR,
            Type::Date => ffi::DUCKDB_TYPE_DUCKDB_TYPE_DATE,
            Type::Time => ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIME,
            Type::TimestampTz => ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ,
            Type::List(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_LIST,
            Type::Struct(_) => ffi::DUCKDB_TYPE_DUCKDB_TYPE_STRUCT,
        }
    }

    /// DuckDB's handle for this type.
    pub fn logical(&self) -> LogicalType {
        match self {
            Type::List(child) => {
                let child = child.logical();
                // SAFETY: `child` is a live logical type; DuckDB copies it.
                LogicalType(unsafe { ffi::duckdb_create_list_type(child.0) })
            }
            Type::Struct(members) => {
                let types: Vec<LogicalType> = members.iter().map(|(_, t)| t.logical()).collect();
                let names: Vec<_> = members.iter().map(|(n, _)| cstring(n)).collect();
                let mut name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
                let mut type_ptrs: Vec<ffi::duckdb_logical_type> = types.iter().map(|t| t.0).collect();
                // SAFETY: both arrays hold `members.len()` live entries for the duration of the
                // call; DuckDB copies names and types.
                LogicalType(unsafe { ffi::duckdb_create_struct_type(type_ptrs.as_mut_ptr(), name_ptrs.as_mut_ptr(), members.len() as u64) })
            }
            // SAFETY: a plain type id; DuckDB returns a new handle.
            other => LogicalType(unsafe { ffi::duckdb_create_logical_type(other.id()) }),
        }
    }
}

/// A parameter of a function: its name (for the documentation; DuckDB's C API cannot name the
/// parameters of scalars), its type and, when optional, the default it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub ty: Type,
    /// What leaving the parameter out means, as SQL (`2`, `'auto'`), for optional parameters.
    pub default: Option<&'static str>,
    /// What the parameter accepts when `ty` says less (`ANY` that must be `VARCHAR | VARCHAR[]`).
    pub accepts: Option<&'static str>,
}

impl Param {
    /// A required parameter.
    pub const fn new(name: &'static str, ty: Type) -> Self {
        Self { name, ty, default: None, accepts: None }
    }

    /// An optional parameter and what leaving it out means.
    pub const fn optional(name: &'static str, ty: Type, default: &'static str) -> Self {
        Self { name, ty, default: Some(default), accepts: None }
    }

    /// The same parameter, documented as accepting `what`.
    pub const fn accepting(self, what: &'static str) -> Self {
        Self { accepts: Some(what), ..self }
    }

    /// The type as the documentation shows it.
    pub fn type_text(&self) -> String {
        self.accepts.map(str::to_string).unwrap_or_else(|| self.ty.sql())
    }
}

/// An owned `duckdb_logical_type`, destroyed on drop.
pub struct LogicalType(ffi::duckdb_logical_type);

impl LogicalType {
    /// The handle, for C API calls that copy it.
    pub(super) fn raw(&self) -> ffi::duckdb_logical_type {
        self.0
    }

    /// Takes ownership of a handle DuckDB returned.
    ///
    /// # Safety
    /// `raw` must be a logical type the caller owns (not one owned by a value or vector).
    pub(super) unsafe fn from_owned(raw: ffi::duckdb_logical_type) -> Self {
        Self(raw)
    }

    /// The type id.
    pub(super) fn id(&self) -> ffi::DUCKDB_TYPE {
        // SAFETY: a live handle.
        unsafe { ffi::duckdb_get_type_id(self.0) }
    }

    /// Number of members of a STRUCT type (0 for other types).
    pub(super) fn struct_members(&self) -> usize {
        if self.id() != ffi::DUCKDB_TYPE_DUCKDB_TYPE_STRUCT {
            return 0;
        }
        // SAFETY: a live STRUCT type.
        unsafe { ffi::duckdb_struct_type_child_count(self.0) as usize }
    }

    /// The element type id of a LIST type.
    pub(super) fn list_child_id(&self) -> Option<ffi::DUCKDB_TYPE> {
        if self.id() != ffi::DUCKDB_TYPE_DUCKDB_TYPE_LIST {
            return None;
        }
        // SAFETY: a live LIST type; the child type returned is owned by us.
        let child = unsafe { LogicalType::from_owned(ffi::duckdb_list_type_child_type(self.0)) };
        Some(child.id())
    }
}

impl Drop for LogicalType {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: we own the handle and destroy it once.
            unsafe { ffi::duckdb_destroy_logical_type(&mut self.0) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_spelling() {
        assert_eq!(Type::List(&Type::Varchar).sql(), "VARCHAR[]");
        const EDGE: &[(&str, Type)] = &[("code", Type::Varchar), ("latitude", Type::Double)];
        assert_eq!(Type::Struct(EDGE).sql(), "STRUCT(code VARCHAR, latitude DOUBLE)");
        assert_eq!(Type::TimestampTz.sql(), "TIMESTAMP WITH TIME ZONE");
    }
}
