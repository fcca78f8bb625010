package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListAndDelete(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t, dsn(t))
			ctx := context.Background()
			for i := 0; i < 30; i++ {
				a := api(fmt.Sprintf("id%02d", i), fmt.Sprintf("Name_%02d", i), fmt.Sprintf("/p/%d", i))
				a.Doc = []byte(fmt.Sprintf(`{"type":%d,"req_protocol":"HTTPS","tags":["t%d","all"],"backend_api":{"vpc_channel_info":{"vpc_channel_id":"v%d"}}}`, 1+i%2, i%3, i%5))
				require.NoError(t, s.Create(ctx, a))
			}
			other := api("x", "Name_00", "/p/0")
			other.Project = "q"
			require.NoError(t, s.Create(ctx, other))
			q := func(limit int, offset int64, f ...Filter) ([]string, int64) {
				list, total, err := s.List(ctx, Query{Product: ROMA, Project: "p", Instance: "i", Limit: limit, Offset: offset, Filters: f})
				require.NoError(t, err)
				ids := []string{}
				for _, a := range list {
					ids = append(ids, a.ID)
				}
				return ids, total
			}
			ids, total := q(10, 25)
			assert.Equal(t, []string{"id25", "id26", "id27", "id28", "id29"}, ids)
			assert.EqualValues(t, 30, total, "never another project's APIs")
			ids, _ = q(-1, 0)
			assert.Len(t, ids, 30)
			ids, total = q(0, 0)
			assert.Empty(t, ids)
			assert.EqualValues(t, 30, total)
			_, total = q(100, 0, Filter{Field: DocField("type"), Values: []string{"2"}})
			assert.EqualValues(t, 15, total)
			_, total = q(100, 0, Filter{Field: FieldName, Values: []string{"e_1"}, Contains: true})
			assert.EqualValues(t, 10, total)
			_, total = q(100, 0, Filter{Field: FieldName, Values: []string{"name_1"}, Contains: true})
			assert.EqualValues(t, 0, total, "matching is case-sensitive on every database")
			_, total = q(100, 0, Filter{Tag: true, Values: []string{"t1"}})
			assert.EqualValues(t, 10, total)
			_, total = q(100, 0, Filter{Field: DocField("backend_api", "vpc_channel_info", "vpc_channel_id"), Values: []string{"v1", "v2"}})
			assert.EqualValues(t, 12, total)
			_, total = q(100, 0, Filter{Field: DocField("run_env_id"), Values: []string{"e"}})
			assert.EqualValues(t, 0, total)
			_, total = q(100, 0, Filter{Field: FieldID, Values: nil})
			assert.EqualValues(t, 0, total, "a filter with no value matches nothing")

			require.NoError(t, s.Delete(ctx, ROMA, "p", "i", "id00"))
			assert.ErrorIs(t, s.Delete(ctx, ROMA, "p", "i", "id00"), ErrNotFound)
			assert.ErrorIs(t, s.Delete(ctx, ROMA, "q", "i", "id01"), ErrNotFound, "not from another project")
			_, err := s.Get(ctx, ROMA, "p", "i", "id00")
			assert.ErrorIs(t, err, ErrNotFound)
			require.NoError(t, s.Create(ctx, api("new", "Name_00", "/p/0")), "name and route are free at once")
			_, err = s.Get(ctx, ROMA, "q", "i", "x")
			assert.NoError(t, err, "the other project's API with the same name stays")
		})
	}
}

// An unfiltered list reads its total from the counts the writes keep (SQLite); it must agree
// with the APIs stored after every kind of write: create, a refused create, delete, reset,
// import, and in a file an earlier version wrote without counts.
func TestListTotalFollowsEveryWrite(t *testing.T) {
	ctx := context.Background()
	total := func(t *testing.T, s Store, project string) int64 {
		t.Helper()
		list, n, err := s.List(ctx, Query{Product: ROMA, Project: project, Instance: "i", Limit: -1})
		require.NoError(t, err)
		assert.EqualValues(t, len(list), n, "the total is the number of APIs of %s", project)
		return n
	}
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t, dsn(t))
			for i := 0; i < 5; i++ {
				require.NoError(t, s.Create(ctx, api(fmt.Sprintf("id%d", i), fmt.Sprintf("n%d", i), fmt.Sprintf("/%d", i))))
			}
			other := api("x", "n0", "/0")
			other.Project = "q"
			require.NoError(t, s.Create(ctx, other))
			assert.ErrorIs(t, s.Create(ctx, api("dup", "n1", "/other")), ErrNameExists)
			assert.EqualValues(t, 5, total(t, s, "p"), "a refused create counts nothing")
			require.NoError(t, s.Delete(ctx, ROMA, "p", "i", "id0"))
			assert.EqualValues(t, 4, total(t, s, "p"))
			assert.EqualValues(t, 1, total(t, s, "q"))
			_, err := s.(Admin).Reset(ctx, "q")
			require.NoError(t, err)
			assert.EqualValues(t, 0, total(t, s, "q"))
			assert.EqualValues(t, 4, total(t, s, "p"))
			require.NoError(t, s.(Admin).Replace(ctx, []API{api("a", "a", "/a"), other}))
			assert.EqualValues(t, 1, total(t, s, "p"))
			assert.EqualValues(t, 1, total(t, s, "q"))
			_, err = s.(Admin).Reset(ctx, "")
			require.NoError(t, err)
			assert.EqualValues(t, 0, total(t, s, "p"))
		})
	}
	t.Run("sqlite file without counts", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "db")
		s, err := Open(ctx, path)
		require.NoError(t, err)
		for i := 0; i < 3; i++ {
			require.NoError(t, s.Create(ctx, api(fmt.Sprintf("id%d", i), fmt.Sprintf("n%d", i), fmt.Sprintf("/%d", i))))
		}
		require.NoError(t, s.Close())
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		_, err = db.Exec("DROP TRIGGER apis_count_insert; DROP TRIGGER apis_count_delete; DROP TABLE api_counts")
		require.NoError(t, err)
		require.NoError(t, db.Close())
		s = open(t, path)
		assert.EqualValues(t, 3, total(t, s, "p"), "counted from the stored APIs when opened")
		require.NoError(t, s.Create(ctx, api("id3", "n3", "/3")))
		assert.EqualValues(t, 4, total(t, s, "p"))
	})
}

// An import that breaks a rule midway changes nothing: the APIs stored before it stay, on
// every store (on SQLite it runs inside a group of other writes, which must not keep its
// first statements).
func TestRefusedReplaceChangesNothing(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t, dsn(t))
			require.NoError(t, s.Create(ctx, api("k1", "kept", "/kept")))
			err := s.(Admin).Replace(ctx, []API{api("n1", "dup", "/1"), api("n2", "dup", "/2")})
			require.ErrorIs(t, err, ErrNameExists)
			list, n, err := s.List(ctx, Query{Product: ROMA, Project: "p", Instance: "i", Limit: -1})
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			assert.Equal(t, "k1", list[0].ID)
		})
	}
}
