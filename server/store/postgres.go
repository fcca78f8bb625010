package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// openPostgres opens a shared PostgreSQL database, for a team emulator. Commits are durable
// when they return (PostgreSQL's default synchronous_commit).
func openPostgres(ctx context.Context, dsn string) (Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	// Serialize schema creation between emulators that start together. The lock is taken in
	// a transaction, so that it is released with it, on the same connection.
	err = func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // after Commit, Rollback is a no-op
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(4271)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s := &sqlStore{db: db, uniqueViolation: postgresUnique, dialect: postgresDialect}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s.begin = func(ctx context.Context) (*sql.Tx, error) {
		// SERIALIZABLE would make the pre-checks exact but turns races into retries; the
		// unique constraints already decide races, so READ COMMITTED is enough.
		return db.BeginTx(ctx, nil)
	}
	return s, nil
}

func postgresUnique(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return err
	}
	switch pe.ConstraintName {
	case "apis_name":
		return ErrNameExists
	case "apis_route":
		return ErrRouteExists
	}
	return err
}
