package store

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// batcher is a single writer that commits the writes waiting for it together: one
// transaction, one commit. Each write is one statement, which SQLite undoes by itself when it
// fails on a constraint (a taken name), leaving the others in. SQLite has one writer at a time
// anyway; without this, concurrent writers would queue on its file lock with sleeps and
// retries, and each pay a commit.
type batcher struct {
	db *sql.DB
	// hold keeps the writer's connection, and the statements prepared on it, from one group
	// to the next. A shared-cache memory database has a single connection, which readers need
	// between groups: there each group takes it and gives it back.
	hold bool
	// linger bounds how long a group is gathered: lingerMax on disk, where a commit's page
	// writes are what grouping saves; none in memory, where a commit writes nothing and a
	// wait would only add latency (a sequential client would pay it on every write).
	linger time.Duration
	// conn and prepared are the writer's connection and statements; only loop uses them.
	conn     *sql.Conn
	prepared map[string]*sql.Stmt
	reqs     chan batchReq
	// coming counts the announced writes not yet taken into a group; wake tells a waiting
	// group that one of them was withdrawn.
	coming atomic.Int64
	wake   chan struct{}
	wg     sync.WaitGroup
	// mu guards closed: senders hold it shared, close holds it alone, so that the channel is
	// never closed under a send.
	mu     sync.RWMutex
	closed bool
}

type batchReq struct {
	ctx   context.Context
	op    func(*stmts) error
	done  chan error
	state *atomic.Int32 // queued, started or withdrawn
}

const (
	queued int32 = iota
	started
	withdrawn
)

// maxBatch bounds a group so that the first write of a burst does not wait for long.
const maxBatch = 128

var errClosed = errors.New("store: closed")

func newBatcher(db *sql.DB, onDisk bool) *batcher {
	b := &batcher{db: db, hold: onDisk, reqs: make(chan batchReq, maxBatch), wake: make(chan struct{}, 1)}
	b.wg.Add(1)
	if onDisk {
		b.linger = lingerMax
	}
	go b.loop()
	return b
}

// do runs op in the next group and returns once its group is committed (or op failed).
func (b *batcher) do(ctx context.Context, op func(*stmts) error) error {
	done := make(chan error, 1)
	state := new(atomic.Int32)
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errClosed
	}
	select {
	case b.reqs <- batchReq{ctx: ctx, op: op, done: done, state: state}:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// A caller that gives up before its write starts withdraws it, so that a frozen database
	// (its write lock held elsewhere) answers within the caller's deadline. Once the write has
	// started it is waited for: it may be committed, and the caller must not believe otherwise.
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if state.CompareAndSwap(queued, withdrawn) {
			return ctx.Err()
		}
		return <-done
	}
}

func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.reqs)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// begin starts a group's transaction on the writer's connection. BEGIN IMMEDIATE takes the
// write lock at once. The transaction is run with plain statements rather than database/sql's
// Tx, so that the statements prepared on the connection serve every group.
func (b *batcher) begin() (*stmts, error) {
	if b.conn == nil {
		conn, err := b.db.Conn(context.Background())
		if err != nil {
			return nil, err
		}
		b.conn, b.prepared = conn, map[string]*sql.Stmt{}
	}
	st := &stmts{conn: b.conn, prepared: b.prepared}
	if _, err := st.exec(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		b.release(true)
		return nil, err
	}
	return st, nil
}

// release gives the writer's connection back after a group when it is not held, or when it
// failed (the next group starts on a fresh one).
func (b *batcher) release(failed bool) {
	if b.conn == nil || (b.hold && !failed) {
		return
	}
	for _, st := range b.prepared {
		st.Close() //nolint:errcheck // closing with the connection
	}
	b.conn.Close() //nolint:errcheck // a connection that failed is discarded either way
	b.conn, b.prepared = nil, nil
}

// A group is gathered while writes keep coming, up to lingerMax after its first write. Before
// it commits, the writer yields to the goroutines that are ready to run (the requests being
// decoded and checked), so that the writes they are about to send join the group; it waits
// only for writes that callers announced (Announce) and have not sent yet. A lone writer is
// committed at once. A commit costs the same few page writes whether it holds one write or a
// hundred, so under load larger groups cost less CPU per write.
const lingerMax = 3 * time.Millisecond

func (b *batcher) loop() {
	defer b.wg.Done()
	defer b.release(true)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for first := range b.reqs {
		first.taken()
		group := []batchReq{first}
		deadline := time.Now().Add(b.linger)
		yielded := false
	fill:
		for len(group) < maxBatch {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					break fill
				}
				r.taken()
				group = append(group, r)
				yielded = false
				continue
			default:
			}
			wait := time.Until(deadline)
			if wait <= 0 {
				break
			}
			if !yielded {
				runtime.Gosched()
				yielded = true
				continue
			}
			if b.coming.Load() <= 0 {
				break
			}
			timer.Reset(wait)
			select {
			case r, ok := <-b.reqs:
				timer.Stop()
				if !ok {
					break fill
				}
				r.taken()
				group = append(group, r)
				yielded = false
			case <-b.wake:
				timer.Stop()
			case <-timer.C:
				break fill
			}
		}
		b.commit(group)
	}
}

// announcement is a write a caller said it would send; ctx carries it to the write.
type announcement struct {
	b    *batcher
	done atomic.Bool
}

type announcementKey struct{}

// announce counts a coming write until the writer takes it, or end is called (the caller
// sends none after all, or is done).
func (b *batcher) announce(ctx context.Context) (context.Context, func()) {
	a := &announcement{b: b}
	b.coming.Add(1)
	return context.WithValue(ctx, announcementKey{}, a), func() {
		if a.take() {
			select {
			case b.wake <- struct{}{}: // a group waiting for it need not
			default:
			}
		}
	}
}

// take stops counting a; it reports whether a was still counted.
func (a *announcement) take() bool {
	if a == nil || !a.done.CompareAndSwap(false, true) {
		return false
	}
	a.b.coming.Add(-1)
	return true
}

func (r batchReq) taken() {
	a, _ := r.ctx.Value(announcementKey{}).(*announcement)
	a.take()
}

func (b *batcher) commit(group []batchReq) {
	results := make([]error, len(group))
	st, err := b.begin()
	if err != nil {
		for _, r := range group {
			r.done <- err
		}
		return
	}
	bg := context.Background()
	// dead is set when the transaction itself failed: from then on nothing in the group is
	// written, and no write of the group is reported as done.
	var dead error
	for i, r := range group {
		if dead != nil {
			results[i] = dead
			continue
		}
		if err := r.ctx.Err(); err != nil || !r.state.CompareAndSwap(queued, started) {
			results[i] = errors.Join(err, context.Canceled) // the caller is gone and nothing was written for it
			continue
		}
		err := r.op(st)
		switch {
		case err == nil, errors.Is(err, ErrNameExists), errors.Is(err, ErrRouteExists), errors.Is(err, ErrNotFound):
			// Done, or refused by a rule: SQLite undid the statement, the transaction goes on.
			results[i] = err
		default:
			// Anything else may have ended the transaction: the whole group fails.
			results[i], dead = err, err
		}
	}
	if dead == nil {
		if _, err := st.exec(bg, "COMMIT"); err != nil {
			dead = err
		}
	}
	if dead != nil {
		// A failed COMMIT may leave the transaction open: it is rolled back, and the
		// connection replaced.
		st.exec(bg, "ROLLBACK") //nolint:errcheck // the transaction may already be gone
		for i := range results {
			if results[i] == nil {
				results[i] = dead
			}
		}
	}
	b.release(dead != nil)
	for i, r := range group {
		r.done <- results[i]
	}
}
