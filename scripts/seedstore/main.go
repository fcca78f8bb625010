// Command seedstore fills an emulator store with N ROMA APIs of the load script's shape, so
// that scripts/load.sh can measure a create against a large store (SEED=1000000).
//
//	go run ./scripts/seedstore STORE N
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiclab/apic/server/store"
)

func main() { os.Exit(run(os.Args[1:])) }

const (
	project  = "73d69ae0cfcf460190522d06b60f05ad"
	instance = "eddc4d25480b4cd6b512f270a1b8b341"
	group    = "c77f5e81d9cb4424bf704ef2b0ac7600"
)

func run(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: seedstore STORE N")
		return 2
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "seedstore: N must be a count")
		return 2
	}
	ctx := context.Background()
	st, err := store.Open(ctx, args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "seedstore:", err)
		return 1
	}
	defer st.Close()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	started := time.Now()
	for w := 0; w < 256; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				name := fmt.Sprintf("prefill_%d", i)
				now := time.Now()
				// The document has the size of a stored load-script API.
				doc := fmt.Sprintf(`{"id":"%032x","name":"%s","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/prefill/%d","auth_type":"NONE","backend_type":"MOCK","group_id":"%s","group_name":"api_group_001","match_mode":"NORMAL","status":1,"arrange_necessary":2,"register_time":"%s","update_time":"%s","mock_info":{"result_content":"ok","status_code":200,"id":"%032x","status":1},"api_group_info":{"id":"%s","name":"api_group_001","status":1,"sl_domain":"c77f5e81d9cb4424bf704ef2b0ac7600.apic.example.com","on_sell_status":2,"url_domains":[]}}`,
					i, name, i, group, now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), i, group)
				err := st.Create(ctx, store.API{Product: store.ROMA, Project: project, Instance: instance,
					ID: fmt.Sprintf("%032x", i), GroupID: group, Name: name, Method: "GET", URI: fmt.Sprintf("/prefill/%d", i),
					MatchMode: "NORMAL", Doc: []byte(doc), Created: now, Updated: now})
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "seedstore: %d APIs in %.0fs, %d failed\n", n, time.Since(started).Seconds(), failed.Load())
	if failed.Load() > 0 {
		return 1
	}
	return 0
}
