# Lets DuckDB's own build (and the community-extensions tooling) find this extension.
# It is a C API extension built by cargo (see Makefile and description.yml), so DuckDB's build
# only needs to know its name and where it lives; LOAD_TESTS runs test/sql/*.test.
duckdb_extension_load(cloudfront
    SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}
    LOAD_TESTS
)
