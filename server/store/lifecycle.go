package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
)

// Field names a property a list can filter on: a column of the table, or a member of the
// stored document (a JSON path).
type Field struct {
	column string
	path   []string
}

// The fields the list operations filter on.
var (
	FieldID      = Field{column: "id"}
	FieldName    = Field{column: "name"}
	FieldGroupID = Field{column: "group_id"}
	FieldMethod  = Field{column: "method"}
	FieldURI     = Field{column: "uri"}
)

// DocField is a member of the stored document, by its path of object keys.
func DocField(path ...string) Field { return Field{path: path} }

// Filter keeps the APIs whose field equals one of Values, or, with Contains, contains
// Values[0]. Tag keeps the APIs whose tags array has Values[0].
type Filter struct {
	Field    Field
	Values   []string
	Contains bool
	Tag      bool
}

// Query selects a page of one namespace's APIs. A Limit below 0 means every matching API.
type Query struct {
	Product  Product
	Project  string
	Instance string
	Filters  []Filter
	Offset   int64
	Limit    int
}

// dialect holds the SQL that differs between SQLite and PostgreSQL. Each function returns a
// condition on the placeholder ph.
type dialect struct {
	// docText is the text of a member of the JSON document column (numbers as their digits).
	docText func(path []string) string
	// contains is true when ph occurs in expr, case-sensitively.
	contains func(expr, ph string) string
	// hasTag is true when the document's tags array holds ph.
	hasTag func(ph string) string
	// snapshot are the options of a read transaction that sees one state of the database.
	snapshot *sql.TxOptions
}

var sqliteDialect = dialect{
	docText: func(path []string) string {
		return "CAST(json_extract(doc, '$." + strings.Join(path, ".") + "') AS TEXT)"
	},
	contains: func(expr, ph string) string { return "instr(" + expr + ", " + ph + ") > 0" },
	hasTag: func(ph string) string {
		return "EXISTS (SELECT 1 FROM json_each(doc, '$.tags') WHERE json_each.value = " + ph + ")"
	},
}

var postgresDialect = dialect{
	docText: func(path []string) string {
		return "(doc::jsonb #>> '{" + strings.Join(path, ",") + "}')"
	},
	contains: func(expr, ph string) string { return "strpos(" + expr + ", " + ph + ") > 0" },
	hasTag: func(ph string) string {
		return "COALESCE(jsonb_typeof(doc::jsonb -> 'tags') = 'array' AND (doc::jsonb -> 'tags') ? " + ph + ", false)"
	},
	snapshot: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
}

// where builds the condition and arguments of q.
func (s *sqlStore) where(q Query) (string, []any) {
	args := []any{string(q.Product), q.Project, q.Instance}
	conds := []string{"product = $1", "project = $2", "instance = $3"}
	ph := func(v string) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, f := range q.Filters {
		expr := f.Field.column
		if expr == "" {
			expr = s.dialect.docText(f.Field.path)
		}
		switch {
		case f.Tag:
			conds = append(conds, s.dialect.hasTag(ph(f.Values[0])))
		case f.Contains:
			conds = append(conds, s.dialect.contains(expr, ph(f.Values[0])))
		case len(f.Values) == 0:
			conds = append(conds, "1 = 0")
		default:
			in := make([]string, len(f.Values))
			for i, v := range f.Values {
				in[i] = ph(v)
			}
			conds = append(conds, expr+" IN ("+strings.Join(in, ", ")+")")
		}
	}
	return strings.Join(conds, " AND "), args
}

func (s *sqlStore) List(ctx context.Context, q Query) ([]API, int64, error) {
	if s.listSlots != nil {
		select {
		case s.listSlots <- struct{}{}:
			defer func() { <-s.listSlots }()
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
	}
	cond, args := s.where(q)
	tx, err := s.db.BeginTx(ctx, s.dialect.snapshot)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var total int64
	count := "SELECT COUNT(*) FROM apis WHERE " + cond
	if s.counted && len(q.Filters) == 0 {
		// Every API of the namespace: its count is kept by the writes.
		count = "SELECT COALESCE((SELECT n FROM api_counts WHERE " + cond + "), 0)"
	}
	if err := tx.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// The page's ids first: without document filters the primary key index holds everything
	// this query reads, so skipping offset rows never reads a document. Then the page's rows.
	page := "SELECT id FROM apis WHERE " + cond + " ORDER BY id"
	if q.Limit >= 0 {
		page += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, q.Offset)
	} else {
		page += fmt.Sprintf(" LIMIT %d OFFSET %d", math.MaxInt32, q.Offset)
	}
	if total == 0 || q.Limit == 0 {
		return []API{}, total, nil
	}
	idRows, err := tx.QueryContext(ctx, page, args...)
	if err != nil {
		return nil, 0, err
	}
	var ids []any
	for idRows.Next() {
		var id string
		if err := idRows.Scan(&id); err != nil {
			idRows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	idRows.Close()
	if err := idRows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		return []API{}, total, nil
	}
	in := make([]string, len(ids))
	for i := range ids {
		in[i] = fmt.Sprintf("$%d", i+4)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, group_id, name, method, uri, match_mode, doc, created, updated FROM apis"+
		" WHERE product = $1 AND project = $2 AND instance = $3 AND id IN ("+strings.Join(in, ", ")+") ORDER BY id",
		append([]any{string(q.Product), q.Project, q.Instance}, ids...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []API{}
	for rows.Next() {
		a := API{Product: q.Product, Project: q.Project, Instance: q.Instance}
		var doc, created, updated string
		if err := rows.Scan(&a.ID, &a.GroupID, &a.Name, &a.Method, &a.URI, &a.MatchMode, &doc, &created, &updated); err != nil {
			return nil, 0, err
		}
		a.Doc = []byte(doc)
		if a.Created, err = time.Parse(timeFormat, created); err != nil {
			return nil, 0, fmt.Errorf("store: created time: %w", err)
		}
		if a.Updated, err = time.Parse(timeFormat, updated); err != nil {
			return nil, 0, fmt.Errorf("store: updated time: %w", err)
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

func (s *sqlStore) Delete(ctx context.Context, product Product, project, instance, id string) error {
	return s.transact(ctx, func(ctx context.Context, tx *stmts) error {
		res, err := tx.exec(ctx, `DELETE FROM apis WHERE product = $1 AND project = $2 AND instance = $3 AND id = $4`,
			string(product), project, instance, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
}
