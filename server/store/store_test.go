package store

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server/store/storetest"
)

// dsns are the stores every test runs on: a SQLite file, an in-memory SQLite database, and
// PostgreSQL when APICEMU_TEST_POSTGRES names a database.
func dsns(t *testing.T) map[string]func(t *testing.T) string {
	m := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "db") },
		"memory": func(*testing.T) string { return ":memory:" },
	}
	m["postgres"] = func(t *testing.T) string { return storetest.SchemaOrSkip(t) }
	return m
}

func open(t *testing.T, dsn string) Store {
	s, err := Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func api(id, name, uri string) API {
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	return API{Product: ROMA, Project: "p", Instance: "i", ID: id, GroupID: "g", Name: name,
		Method: "GET", URI: uri, MatchMode: "NORMAL", Doc: []byte(`{"id":"` + id + `"}`), Created: now, Updated: now}
}

func TestUniquenessAndNamespaces(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t, dsn(t))
			ctx := context.Background()
			require.NoError(t, s.Create(ctx, api("a", "n1", "/1")))
			assert.ErrorIs(t, s.Create(ctx, api("b", "n1", "/2")), ErrNameExists)
			assert.ErrorIs(t, s.Create(ctx, api("c", "n2", "/1")), ErrRouteExists)
			assert.ErrorIs(t, s.Create(ctx, api("d", "n1", "/1")), ErrNameExists, "the name rule is reported first")
			other := api("e", "n1", "/1")
			other.Project = "q"
			assert.NoError(t, s.Create(ctx, other), "another project has its own names")
			got, err := s.Get(ctx, ROMA, "p", "i", "a")
			require.NoError(t, err)
			assert.Equal(t, `{"id":"a"}`, string(got.Doc))
			assert.True(t, got.Created.Equal(api("a", "", "").Created))
			_, err = s.Get(ctx, ROMA, "q", "i", "a")
			assert.ErrorIs(t, err, ErrNotFound, "not visible from another project")
			_, err = s.Get(ctx, APIG, "p", "i", "a")
			assert.ErrorIs(t, err, ErrNotFound, "not visible from the other product")

			require.NoError(t, s.Create(ctx, api("f", "n3", "/3")))
			up := api("f", "n1", "/9")
			assert.ErrorIs(t, s.Update(ctx, up), ErrNameExists)
			up.Name = "n4"
			assert.NoError(t, s.Update(ctx, up))
			assert.ErrorIs(t, s.Update(ctx, api("zz", "n5", "/5")), ErrNotFound)
		})
	}
}

func TestMemoryStoresAreSeparate(t *testing.T) {
	a, b := open(t, ":memory:"), open(t, ":memory:")
	require.NoError(t, a.Create(context.Background(), api("x", "n", "/")))
	_, err := b.Get(context.Background(), ROMA, "p", "i", "x")
	assert.ErrorIs(t, err, ErrNotFound)
}

// Callers that give up at any moment never leave the store disagreeing with what they were
// told: a write that returned nil is stored, and one that returned an error is not.
func TestCancelledWritesAreConsistent(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t, dsn(t))
			big := strings.Repeat("x", 200_000)
			type outcome struct {
				id  string
				err error
			}
			results := make(chan outcome, 400)
			var wg sync.WaitGroup
			for w := 0; w < 32; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					rng := rand.New(rand.NewSource(int64(w)))
					for i := 0; i < 12; i++ {
						ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.Intn(40000))*time.Microsecond)
						a := api(fmt.Sprintf("w%d_%d", w, i), fmt.Sprintf("w%d_%d", w, i), fmt.Sprintf("/w%d/%d", w, i))
						a.Doc = []byte(`{"pad":"` + big + `"}`)
						results <- outcome{a.ID, s.Create(ctx, a)}
						cancel()
					}
				}(w)
			}
			wg.Wait()
			close(results)
			stored, failed := 0, 0
			for r := range results {
				_, err := s.Get(context.Background(), ROMA, "p", "i", r.id)
				if r.err == nil {
					stored++
					assert.NoError(t, err, "%s was acknowledged but is not stored", r.id)
				} else {
					failed++
					assert.ErrorIs(t, err, ErrNotFound, "%s failed (%v) but is stored", r.id, r.err)
				}
			}
			t.Logf("%d stored, %d given up", stored, failed)
		})
	}
}

// Writes reach the database file without any commit doing the copy: the background
// checkpoints move the WAL into it while wal_autocheckpoint is far from reached.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, path)
	size := func() int64 {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		return fi.Size()
	}
	before := size()
	for i := 0; i < 100; i++ {
		a := api(fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i), fmt.Sprintf("/c/%d", i))
		a.Doc = []byte(`{"pad":"` + strings.Repeat("x", 8000) + `"}`)
		require.NoError(t, s.Create(context.Background(), a))
	}
	assert.Eventually(t, func() bool { return size() > before+100*8000 }, 5*checkpointEvery, 50*time.Millisecond,
		"the database file grows by what was written")
}
