// Package store keeps the emulator's APIs: an embedded SQLite file by default, or a shared
// PostgreSQL database. Both enforce the uniqueness rules of the service in the database, so
// that concurrent writers can never break them.
package store

import (
	"context"
	"errors"
	"time"
)

// Product names the namespace an API lives in; the two products never see each other's APIs.
type Product string

const (
	ROMA Product = "roma"
	APIG Product = "apig"
)

// API is one stored API: its keys, the fields the uniqueness rules look at, and the document
// the service answers with.
type API struct {
	Product  Product
	Project  string
	Instance string // "" for the legacy gateway, which has no instances
	ID       string
	GroupID  string
	Name     string
	// Method, URI and MatchMode form the route that must be unique within a group. Method
	// and MatchMode are stored upper-case.
	Method    string
	URI       string
	MatchMode string
	// Doc is the API as the service returns it (JSON).
	Doc     []byte
	Created time.Time
	Updated time.Time
}

// Errors the store returns; callers map them to the service's error codes.
var (
	ErrNotFound    = errors.New("store: API not found")
	ErrNameExists  = errors.New("store: an API with this name already exists in the group")
	ErrRouteExists = errors.New("store: an API with this method, path and match mode already exists in the group")
)

// Store is what the emulator needs of a database.
type Store interface {
	// Create stores a new API, or returns ErrNameExists or ErrRouteExists. It returns only
	// once the API is durable.
	Create(ctx context.Context, api API) error
	// Get returns the API with id in the namespace (product, project, instance).
	Get(ctx context.Context, product Product, project, instance, id string) (API, error)
	// Update replaces a stored API (matched by its keys), with the same uniqueness rules.
	Update(ctx context.Context, api API) error
	// List returns the APIs of q's page, ordered by id, and how many APIs match in all. Both
	// come from one snapshot of the store.
	List(ctx context.Context, q Query) ([]API, int64, error)
	// Delete removes an API, or returns ErrNotFound. It returns once the removal is durable;
	// the API's name and route are free from then on.
	Delete(ctx context.Context, product Product, project, instance, id string) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Announcer is implemented by a store that commits writes in groups (SQLite). Announce says
// that a write is about to be sent with the returned context, so that a group waits for it
// rather than committing without it; end must be called once the request is over.
type Announcer interface {
	Announce(ctx context.Context) (_ context.Context, end func())
}
