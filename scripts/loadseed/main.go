// Command loadseed stores APIs in a running emulator for the load script: N ROMA APIs
// created with the built-in fixtures' token, 16 at a time, their ids written one per line.
//
//	loadseed BASE_URL N PREFIX > ids
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const path = "/v2/73d69ae0cfcf460190522d06b60f05ad/apic/instances/eddc4d25480b4cd6b512f270a1b8b341/apis"

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 3 {
		fmt.Fprintln(stderr, "usage: loadseed BASE_URL N PREFIX")
		return 2
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		fmt.Fprintln(stderr, "loadseed: N must be a count")
		return 2
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	ids := make([]string, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				name := fmt.Sprintf("%s_%d", args[2], i)
				body := fmt.Sprintf(`{"name":%q,"type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/seed/%s","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok"}}`, name, name)
				req, _ := http.NewRequest(http.MethodPost, args[0]+path, bytes.NewReader([]byte(body)))
				req.Header.Set("X-Auth-Token", "emulator-token")
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					continue
				}
				var out struct{ ID string }
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("%s: status %d %v", name, resp.StatusCode, err)
					continue
				}
				ids[i] = out.ID
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err, ok := <-errs; ok {
		fmt.Fprintln(stderr, "loadseed:", err)
		return 1
	}
	for _, id := range ids {
		fmt.Fprintln(stdout, id)
	}
	return 0
}
