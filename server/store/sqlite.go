package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// openSQLite opens (and creates) a SQLite database file in WAL mode.
//
// Durability: with WAL and synchronous=NORMAL a committed transaction is in the operating
// system's file cache before Commit returns, so it survives the emulator being killed (kill -9);
// only a power failure can lose the last commits. That is the guarantee a local emulator needs,
// and it keeps writes fast.
func openSQLite(ctx context.Context, path string) (Store, error) {
	memory := path == ":memory:"
	release := func() {}
	if !memory {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store: %w", err)
			}
		}
		var err error
		if release, err = lockFile(path); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "wal_autocheckpoint(100000)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	if memory {
		// One shared in-memory database for all connections of this store.
		// Each store gets a database of its own: a shared-cache name is process-wide.
		dsn = "file:apicemu-" + fmt.Sprint(os.Getpid(), "-", memorySeq.Add(1)) + "?mode=memory&cache=shared&" + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		release()
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	if memory {
		// A shared-cache memory database lives while one connection is open.
		db.SetMaxOpenConns(1)
	} else {
		// Readers keep their connections (database/sql keeps 2 by default): a new connection
		// starts with an empty page cache and reads the schema again, which made every list
		// under concurrent load pay milliseconds of CPU.
		db.SetMaxIdleConns(maxIdleReaders)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		release()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	if err := sqliteCounts(ctx, db); err != nil {
		db.Close()
		release()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	s := &sqlStore{db: db, uniqueViolation: sqliteUnique, dialect: sqliteDialect, counted: true, listSlots: make(chan struct{}, runtime.GOMAXPROCS(0)),
		release: release}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		release()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	s.batch = newBatcher(db, !memory)
	if !memory {
		s.stop = checkpoints(db)
	}
	return s, nil
}

// countsSchema keeps, for each namespace, how many APIs it holds, so that a list page reads its
// total from one row instead of counting every API of the namespace (at a million APIs, a
// count took most of a second). Triggers keep it in the same transaction as the writes, so it
// is exact in every snapshot a list reads; no write changes an API's namespace.
const countsSchema = `
CREATE TABLE api_counts (
	product  TEXT NOT NULL,
	project  TEXT NOT NULL,
	instance TEXT NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (product, project, instance)
) WITHOUT ROWID;
CREATE TRIGGER apis_count_insert AFTER INSERT ON apis BEGIN
	INSERT INTO api_counts (product, project, instance, n) VALUES (NEW.product, NEW.project, NEW.instance, 1)
		ON CONFLICT (product, project, instance) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER apis_count_delete AFTER DELETE ON apis BEGIN
	UPDATE api_counts SET n = n - 1 WHERE product = OLD.product AND project = OLD.project AND instance = OLD.instance;
END;
INSERT INTO api_counts (product, project, instance, n)
	SELECT product, project, instance, COUNT(*) FROM apis GROUP BY product, project, instance;`

// sqliteCounts creates the counts, from the APIs already stored, in a file that has none (a
// new one, or one an earlier version wrote). The file is the emulator's alone (lockFile).
func sqliteCounts(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, Rollback is a no-op
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'api_counts'").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, countsSchema); err != nil {
		return err
	}
	return tx.Commit()
}

// checkpointEvery is how often the WAL is copied back into the database file. Often, so that
// each copy is small: a copy's fsync makes the commits that overlap it wait, and with a copy a
// second a create's p99 under 64 concurrent writers was 87 and 176 ms in two runs of
// scripts/load.sh, against 23 and 63 ms with one every 100 ms in the same runs.
const checkpointEvery = 100 * time.Millisecond

// checkpoints copies the WAL into the database file from a goroutine of its own, in PASSIVE
// mode, which never waits for the writer nor makes it wait. Left to SQLite, the commit that
// crosses wal_autocheckpoint does the copy itself, and in a large store that copy stalls every
// write queued behind it. wal_autocheckpoint stays as a bound in case these cannot keep up.
func checkpoints(db *sql.DB) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				db.Exec("PRAGMA wal_checkpoint(PASSIVE)") //nolint:errcheck // the next tick tries again
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

var memorySeq atomic.Int64

// maxIdleReaders is how many SQLite connections stay open between requests.
const maxIdleReaders = 32

func sqliteUnique(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return err
	}
	msg := se.Error()
	switch {
	case strings.Contains(msg, "apis.name"):
		return ErrNameExists
	case strings.Contains(msg, "apis.method"):
		return ErrRouteExists
	}
	return err
}
