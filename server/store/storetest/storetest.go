// Package storetest helps tests run on PostgreSQL: each test gets a schema of its own in the
// shared database that APICEMU_TEST_POSTGRES names, dropped when the test ends.
package storetest

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env is the variable that names the test database; tests on PostgreSQL run only when it is set.
const Env = "APICEMU_TEST_POSTGRES"

// URL returns the test database, or "" when there is none.
func URL() string { return os.Getenv(Env) }

// SchemaOrSkip returns a fresh schema of the test database, or skips the test, naming the
// variable, when there is none: a run without PostgreSQL lists what it did not test.
func SchemaOrSkip(t testing.TB) string {
	t.Helper()
	url := URL()
	if url == "" {
		t.Skip(Env + " is not set: not run on PostgreSQL")
	}
	return Schema(t, url)
}

var seq atomic.Int64

// Schema creates a fresh schema in the database at url and returns a URL that uses it.
func Schema(t testing.TB, url string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := fmt.Sprintf("t%d_%d", time.Now().UnixNano(), seq.Add(1))
	if _, err := db.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", url); err == nil {
			db.Exec("DROP SCHEMA " + name + " CASCADE") //nolint:errcheck // best effort
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + name
}
