//! Owned `duckdb_value`s: the parameters a table function is called with.

use std::ffi::{c_void, CStr};

use libduckdb_sys as ffi;

/// An owned `duckdb_value`, destroyed on drop.
pub struct Value(ffi::duckdb_value);

impl Value {
    /// Takes ownership of a value DuckDB returned (may be null: reads as NULL).
    ///
    /// # Safety
    /// `raw` must be null or a value the caller owns.
    pub(super) unsafe fn from_owned(raw: ffi::duckdb_value) -> Self {
        Self(raw)
    }

    /// Whether the value is SQL NULL (or absent).
    pub fn is_null(&self) -> bool {
        // SAFETY: a live value.
        self.0.is_null() || unsafe { ffi::duckdb_is_null_value(self.0) }
    }

    /// The value rendered as text (DuckDB's cast to VARCHAR); "" for an absent value.
    pub fn to_text(&self) -> String {
        if self.0.is_null() {
            return String::new();
        }
        // SAFETY: a live value; the returned C string is ours to free.
        unsafe {
            let p = ffi::duckdb_get_varchar(self.0);
            if p.is_null() {
                return String::new();
            }
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            ffi::duckdb_free(p as *mut c_void);
            s
        }
    }

    /// The value as a BOOLEAN (DuckDB's conversion; false when it cannot convert).
    pub fn to_bool(&self) -> bool {
        // SAFETY: a live value (or null, which DuckDB answers with the default).
        !self.0.is_null() && unsafe { ffi::duckdb_get_bool(self.0) }
    }

    /// The value as a BIGINT (DuckDB's conversion; 0 when it cannot convert).
    pub fn to_i64(&self) -> i64 {
        if self.0.is_null() {
            return 0;
        }
        // SAFETY: a live value.
        unsafe { ffi::duckdb_get_int64(self.0) }
    }

    /// A TIMESTAMP WITH TIME ZONE value (what a `TIMESTAMPTZ` parameter is cast to) in
    /// microseconds since the epoch, UTC; None for a value of any other type.
    pub fn timestamptz_micros(&self) -> Option<i64> {
        // SAFETY: a live value of that type (checked first).
        (self.type_id() == Some(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ)).then(|| unsafe { ffi::duckdb_get_timestamp_tz(self.0).micros })
    }

    /// Whether the value is a VARCHAR.
    pub fn is_text(&self) -> bool {
        self.type_id() == Some(ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR)
    }

    /// The value's type id (None for an absent value).
    fn type_id(&self) -> Option<ffi::DUCKDB_TYPE> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: a live value; the type it returns is owned by the value (only read here).
        Some(unsafe { ffi::duckdb_get_type_id(ffi::duckdb_get_value_type(self.0)) })
    }

    /// Elements of a LIST value as owned values; None when the value is not a list.
    pub fn list_items(&self) -> Option<Vec<Value>> {
        if self.0.is_null() {
            return None;
        }
        if self.type_id() != Some(ffi::DUCKDB_TYPE_DUCKDB_TYPE_LIST) {
            return None;
        }
        // SAFETY: a live LIST value; each child is a new value we own.
        unsafe {
            let n = ffi::duckdb_get_list_size(self.0);
            Some((0..n).map(|i| Value::from_owned(ffi::duckdb_get_list_child(self.0, i))).collect())
        }
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: we own the value and destroy it once.
            unsafe { ffi::duckdb_destroy_value(&mut self.0) }
        }
    }
}
