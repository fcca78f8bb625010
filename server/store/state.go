package store

import (
	"context"
	"errors"
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

// atomic runs op, a write of several statements, as one: through transact, and on SQLite
// under a savepoint of its own. The SQLite writer keeps a group going after a write that broke
// a rule, since a single statement that breaks one leaves nothing behind; a write of several
// statements must undo the ones before it itself.
func (s *sqlStore) atomic(ctx context.Context, op func(context.Context, *stmts) error) error {
	return s.transact(ctx, func(ctx context.Context, tx *stmts) error {
		if s.batch == nil {
			return op(ctx, tx) // PostgreSQL: the transaction is op's alone
		}
		if _, err := tx.exec(ctx, "SAVEPOINT atomic"); err != nil {
			return err
		}
		if err := op(ctx, tx); err != nil {
			if _, rb := tx.exec(ctx, "ROLLBACK TO atomic"); rb != nil {
				return rb // not a rule error: the writer fails the whole group
			}
			_, rel := tx.exec(ctx, "RELEASE atomic")
			return errors.Join(err, rel)
		}
		_, err := tx.exec(ctx, "RELEASE atomic")
		return err
	})
}

func (s *sqlStore) Reset(ctx context.Context, project string) (int64, error) {
	var n int64
	err := s.atomic(ctx, func(ctx context.Context, tx *stmts) error {
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
	return s.atomic(ctx, func(ctx context.Context, tx *stmts) error {
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
