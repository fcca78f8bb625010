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
	s := &sqlStore{db: db, uniqueViolation: sqliteUnique, dialect: sqliteDialect, listSlots: make(chan struct{}, runtime.GOMAXPROCS(0)),
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

// checkpointEvery is how often the WAL is copied back into the database file.
const checkpointEvery = time.Second

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
