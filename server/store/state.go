package store

import (
	"context"
	"fmt"
)

// Admin is what the emulator's state API needs of a store besides Store: starting over,
// and a snapshot of everything to save and restore. Both SQL dialects implement it.
type Admin interface {
	// Reset deletes every API, or those of one project when project is not "". It returns
	// how many it deleted.
	Reset(ctx context.Context, project string) (int64, error)
	// Each calls fn with every stored API, in key order, until fn returns an error.
	Each(ctx context.Context, fn func(API) error) error
	// Replace makes apis the whole content of the store, in one transaction: on any error
	// (a broken uniqueness rule, a duplicate key) nothing changes.
	Replace(ctx context.Context, apis []API) error
}

var _ Admin = (*sqlStore)(nil)

// tx runs op in a write transaction: in the next group of the single writer on SQLite (under
// a savepoint of its own, so that its failure leaves nothing), in a transaction of its own
// on PostgreSQL.
func (s *sqlStore) tx(ctx context.Context, op func(context.Context, *stmts) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, func(tx *stmts) error { return op(context.WithoutCancel(ctx), tx) })
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, Rollback is a no-op
	if err := op(ctx, &stmts{tx: tx}); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqlStore) Reset(ctx context.Context, project string) (int64, error) {
	var n int64
	err := s.tx(ctx, func(ctx context.Context, tx *stmts) error {
		q, args := `DELETE FROM apis`, []any(nil)
		if project != "" {
			q, args = `DELETE FROM apis WHERE project = $1`, []any{project}
		}
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func (s *sqlStore) Each(ctx context.Context, fn func(API) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT product, project, instance, id, group_id, name, method, uri,
		match_mode, doc, created, updated FROM apis ORDER BY product, project, instance, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a API
		var product, doc, created, updated string
		if err := rows.Scan(&product, &a.Project, &a.Instance, &a.ID, &a.GroupID, &a.Name, &a.Method, &a.URI,
			&a.MatchMode, &doc, &created, &updated); err != nil {
			return err
		}
		a.Product, a.Doc = Product(product), []byte(doc)
		if err := a.setTimes(created, updated); err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *sqlStore) Replace(ctx context.Context, apis []API) error {
	return s.tx(ctx, func(ctx context.Context, tx *stmts) error {
		if _, err := tx.exec(ctx, `DELETE FROM apis`); err != nil {
			return err
		}
		for _, a := range apis {
			if err := insert(ctx, tx, a); err != nil {
				return fmt.Errorf("API %s/%s/%s: %w", a.Product, a.Project, a.ID, s.uniqueViolation(err))
			}
		}
		return nil
	})
}
