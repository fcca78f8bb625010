package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// sqlStore is the Store on database/sql, shared by the SQLite and PostgreSQL dialects.
type sqlStore struct {
	db *sql.DB
	// uniqueViolation maps a driver error to ErrNameExists or ErrRouteExists, or returns it.
	uniqueViolation func(error) error
	// begin starts a write transaction (PostgreSQL; SQLite's writer starts its own).
	begin func(ctx context.Context) (*sql.Tx, error)
	// get reads one API by its keys, prepared once: database/sql prepares it on each
	// connection the first time it runs there, and SQLite then parses it no more.
	get *sql.Stmt
	// batch, when set, takes writes to a single writer that commits them in groups (SQLite);
	// otherwise each write has a transaction of its own (PostgreSQL).
	batch *batcher
	// dialect writes the list filters that differ between the databases.
	dialect dialect
	// counted is true when api_counts holds the number of APIs of each namespace (SQLite).
	counted bool
	// listSlots, when set, bounds the lists that run at once (SQLite): a list reads thousands
	// of index entries, and many at once on as many connections thrash their page caches,
	// costing several times the CPU of the same lists one core each.
	listSlots chan struct{}
	// release gives up the store's lock on its SQLite file (lockFile).
	release func()
	// stop ends the store's background work (SQLite's checkpoints), if any.
	stop func()
}

// schema is the same for both dialects. The two UNIQUE constraints are the service's rules:
// a name, and a method + path + match mode, are unique within a group.
const schema = `
CREATE TABLE IF NOT EXISTS apis (
	product    TEXT NOT NULL,
	project    TEXT NOT NULL,
	instance   TEXT NOT NULL,
	id         TEXT NOT NULL,
	group_id   TEXT NOT NULL,
	name       TEXT NOT NULL,
	method     TEXT NOT NULL,
	uri        TEXT NOT NULL,
	match_mode TEXT NOT NULL,
	doc        TEXT NOT NULL,
	created    TEXT NOT NULL,
	updated    TEXT NOT NULL,
	PRIMARY KEY (product, project, instance, id),
	CONSTRAINT apis_name UNIQUE (product, project, instance, group_id, name),
	CONSTRAINT apis_route UNIQUE (product, project, instance, group_id, method, uri, match_mode)
)`

const timeFormat = time.RFC3339Nano

func (s *sqlStore) Create(ctx context.Context, a API) error {
	return s.write(ctx, a, func(ctx context.Context, tx *stmts) error { return insert(ctx, tx, a) })
}

// insert adds a row for a, without the uniqueness pre-checks.
func insert(ctx context.Context, tx *stmts, a API) error {
	_, err := tx.exec(ctx, `INSERT INTO apis
		(product, project, instance, id, group_id, name, method, uri, match_mode, doc, created, updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(a.Product), a.Project, a.Instance, a.ID, a.GroupID, a.Name, a.Method, a.URI, a.MatchMode,
		string(a.Doc), a.Created.UTC().Format(timeFormat), a.Updated.UTC().Format(timeFormat))
	return err
}

func (s *sqlStore) Update(ctx context.Context, a API) error {
	return s.write(ctx, a, func(ctx context.Context, tx *stmts) error {
		res, err := tx.exec(ctx, `UPDATE apis SET group_id = $5, name = $6, method = $7, uri = $8,
			match_mode = $9, doc = $10, updated = $11
			WHERE product = $1 AND project = $2 AND instance = $3 AND id = $4`,
			string(a.Product), a.Project, a.Instance, a.ID, a.GroupID, a.Name, a.Method, a.URI, a.MatchMode,
			string(a.Doc), a.Updated.UTC().Format(timeFormat))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// write runs op, a single statement, and lets the UNIQUE constraints decide. When both rules
// are broken the name rule is reported: a route violation is followed by a check of the name,
// which costs a query only on that failure path. It returns once the write is committed.
func (s *sqlStore) write(ctx context.Context, a API, op func(context.Context, *stmts) error) error {
	err := s.transact(ctx, func(ctx context.Context, tx *stmts) error {
		err := s.uniqueViolation(op(ctx, tx))
		if err == ErrRouteExists && s.batch != nil {
			// A failed statement leaves a group's transaction as it was (SQLite undoes the
			// statement), so the name check runs in the same transaction.
			return s.nameFirst(ctx, tx, a)
		}
		return err
	})
	if err == ErrRouteExists && s.batch == nil {
		// PostgreSQL aborts the transaction on a violation: the name is checked outside it.
		return s.nameFirst(ctx, &stmts{db: s.db}, a)
	}
	return err
}

// transact runs op in a write transaction and returns once it is committed.
func (s *sqlStore) transact(ctx context.Context, op func(context.Context, *stmts) error) error {
	if s.batch != nil {
		// In a group, a write's statements must not be interrupted by its caller going away:
		// the driver would abort the shared transaction and with it the other callers'
		// writes. The batcher checks the caller's context before the write starts instead.
		return s.batch.do(ctx, func(tx *stmts) error { return op(context.WithoutCancel(ctx), tx) })
	}
	// The transaction itself is not bound to the caller's context: database/sql would roll
	// it back, or pgx cancel the COMMIT, when the context ends, and a COMMIT cancelled in
	// flight may still have been applied. The statements honour the context; the commit is
	// not started once it has ended, and once started it is finished, so that an error always
	// means "not stored" and success "stored".
	tx, err := s.begin(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, Rollback is a no-op
	if err := op(ctx, &stmts{tx: tx}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.uniqueViolation(tx.Commit())
}

// nameFirst returns ErrNameExists when another API of a's group has its name, and
// ErrRouteExists otherwise: it is called after the route rule refused a.
func (s *sqlStore) nameFirst(ctx context.Context, q *stmts, a API) error {
	var one int
	err := q.queryRow(ctx, `SELECT 1 FROM apis WHERE product = $1 AND project = $2
		AND instance = $3 AND group_id = $4 AND name = $5 AND id <> $6 LIMIT 1`,
		string(a.Product), a.Project, a.Instance, a.GroupID, a.Name, a.ID).Scan(&one)
	switch {
	case err == nil:
		return ErrNameExists
	case errors.Is(err, sql.ErrNoRows):
		return ErrRouteExists
	}
	return err
}

// stmts runs a write's statements: in a transaction of its own (PostgreSQL), on the database
// (db, outside any transaction), or on the SQLite writer's connection within its group's
// transaction, where each statement is prepared once for the life of the connection: SQLite
// parses every statement it is given, and the writer runs the same few again and again.
type stmts struct {
	tx       *sql.Tx
	db       *sql.DB
	conn     *sql.Conn
	prepared map[string]*sql.Stmt
}

func (t *stmts) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	switch {
	case t.tx != nil:
		return t.tx.ExecContext(ctx, q, args...)
	case t.conn == nil:
		return t.db.ExecContext(ctx, q, args...)
	}
	st, ok := t.prepared[q]
	if !ok {
		var err error
		if st, err = t.conn.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		t.prepared[q] = st
	}
	return st.ExecContext(ctx, args...)
}

func (t *stmts) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	switch {
	case t.tx != nil:
		return t.tx.QueryRowContext(ctx, q, args...)
	case t.conn != nil:
		return t.conn.QueryRowContext(ctx, q, args...)
	}
	return t.db.QueryRowContext(ctx, q, args...)
}

func (s *sqlStore) Get(ctx context.Context, product Product, project, instance, id string) (API, error) {
	a := API{Product: product, Project: project, Instance: instance, ID: id}
	var doc, created, updated string
	err := s.get.QueryRowContext(ctx, string(product), project, instance, id).Scan(&a.GroupID, &a.Name, &a.Method, &a.URI, &a.MatchMode, &doc, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return API{}, ErrNotFound
	}
	if err != nil {
		return API{}, err
	}
	a.Doc = []byte(doc)
	if err := a.setTimes(created, updated); err != nil {
		return API{}, err
	}
	return a, nil
}

// setTimes parses the stored created and updated times.
func (a *API) setTimes(created, updated string) (err error) {
	if a.Created, err = time.Parse(timeFormat, created); err != nil {
		return fmt.Errorf("store: created time: %w", err)
	}
	if a.Updated, err = time.Parse(timeFormat, updated); err != nil {
		return fmt.Errorf("store: updated time: %w", err)
	}
	return nil
}

// prepare prepares the statements the store reads with.
func (s *sqlStore) prepare(ctx context.Context) (err error) {
	s.get, err = s.db.PrepareContext(ctx, `SELECT group_id, name, method, uri, match_mode, doc, created, updated
		FROM apis WHERE product = $1 AND project = $2 AND instance = $3 AND id = $4`)
	return err
}

func (s *sqlStore) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *sqlStore) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	if s.stop != nil {
		s.stop()
	}
	if s.get != nil {
		s.get.Close() //nolint:errcheck // closed with the database
	}
	err := s.db.Close()
	if s.release != nil {
		s.release()
	}
	return err
}

// Announce implements Announcer; a store without groups (PostgreSQL) needs no announcement.
func (s *sqlStore) Announce(ctx context.Context) (context.Context, func()) {
	if s.batch == nil {
		return ctx, func() {}
	}
	return s.batch.announce(ctx)
}

// Exclusive reports whether this store is written by this process only: a SQLite database
// (the one with a single writer), whose file is locked to one emulator or private in memory.
// A PostgreSQL store may be shared by several emulators.
func (s *sqlStore) Exclusive() bool { return s.batch != nil }

// Open opens the store a DSN names: "postgres://..." or "postgresql://..." for PostgreSQL,
// ":memory:" for a private in-memory SQLite database, and anything else as a SQLite file path.
func Open(ctx context.Context, dsn string) (Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}
