package store

import (
	"context"
	"database/sql"
	"errors"
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
	begin func(context.Context) (*sql.Tx, error)
	reqs  chan batchReq
	wg    sync.WaitGroup
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

func newBatcher(begin func(context.Context) (*sql.Tx, error)) *batcher {
	b := &batcher{begin: begin, reqs: make(chan batchReq, maxBatch)}
	b.wg.Add(1)
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

// A group waits for more writes while they keep coming, each within lingerGap of the last
// and all within lingerMax of the first, but only when writes are concurrent (the last group
// had more than one): a lone writer is committed at once. A commit costs the same few page
// writes whether it holds one write or a hundred, so under load larger groups cost less CPU
// per write.
const (
	lingerGap = 200 * time.Microsecond
	lingerMax = 2 * time.Millisecond
)

func (b *batcher) loop() {
	defer b.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	concurrent := false
	for first := range b.reqs {
		group := []batchReq{first}
		opened := time.Now()
	fill:
		for len(group) < maxBatch {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					break fill
				}
				group = append(group, r)
				continue
			default:
			}
			if !concurrent || time.Since(opened) > lingerMax {
				break
			}
			timer.Reset(lingerGap)
			select {
			case r, ok := <-b.reqs:
				timer.Stop()
				if !ok {
					break fill
				}
				group = append(group, r)
			case <-timer.C:
				break fill
			}
		}
		concurrent = len(group) > 1
		b.commit(group)
	}
}

func (b *batcher) commit(group []batchReq) {
	results := make([]error, len(group))
	tx, err := b.begin(context.Background())
	if err != nil {
		for _, r := range group {
			r.done <- err
		}
		return
	}
	st := &stmts{tx: tx, prepared: map[string]*sql.Stmt{}}
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
	if dead != nil {
		tx.Rollback() //nolint:errcheck // the transaction already failed
		for i := range results {
			if results[i] == nil {
				results[i] = dead
			}
		}
	} else if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	for i, r := range group {
		r.done <- results[i]
	}
}
