package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The answer cache never holds more bytes than its bound, whatever the size of the answers.
func TestViewCacheIsBoundedInBytes(t *testing.T) {
	const max = 1 << 20
	c := newViewCache(max)
	doc := []byte(`{"id":"x"}`)
	for i := 0; i < 5000; i++ {
		c.put(fmt.Sprintf("p/i/%032d", i), doc, []byte(strings.Repeat("x", 100+i%5000)), c.now())
		assert.LessOrEqual(t, c.size(), max)
	}
	assert.Greater(t, c.size(), max/2, "the cache is used, not emptied")
	c.put("huge", doc, make([]byte, max/4), c.now())
	_, ok := c.get("huge", doc)
	assert.False(t, ok, "an answer over an eighth of the bound is not kept")
	c.put("p/i/again", doc, []byte("a"), c.now())
	c.put("p/i/again", doc, []byte("bb"), c.now())
	b, _ := c.get("p/i/again", doc)
	assert.Equal(t, "bb", string(b))
	_, ok = c.get("p/i/again", []byte(`{"id":"changed"}`))
	assert.False(t, ok, "an answer built from another document is not used")
	before := c.size()
	c.drop("p/i/again")
	assert.Less(t, c.size(), before, "a dropped answer gives its bytes back")

	// A reader that read the store before a write put nothing back after the write's drop.
	read := c.now()
	c.drop("p/i/late")
	c.put("p/i/late", doc, []byte("stale"), read)
	_, ok = c.trusted("p/i/late")
	assert.False(t, ok, "an answer read before a drop is not cached")
	c.put("p/i/late", doc, []byte("fresh"), c.now())
	b, ok = c.trusted("p/i/late")
	assert.True(t, ok)
	assert.Equal(t, "fresh", string(b))
}

// Ids keep the service's form (32 lower-case hex digits) and grow with time, so that the
// store's primary-key index takes new APIs at its end.
func TestIDsGrowWithTime(t *testing.T) {
	a := newID()
	time.Sleep(2 * time.Millisecond)
	b := newID()
	assert.Regexp(t, `^[0-9a-f]{32}$`, a)
	assert.Less(t, a, b)
	assert.NotEqual(t, newID(), newID())
}
