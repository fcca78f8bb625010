// Command apicconf runs the conformance suite: every documented example, every rule of the
// specs, the documented flows and a check of every response, judged by kin-openapi, the
// generated validators, the generated client and a server. `apicconf --help` tells how.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
