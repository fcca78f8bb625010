// Package cmdline holds the conventions every command of this module follows: --help prints
// the usage to standard output and exits 0, --version prints the build's version, and the
// exit codes are 0 for success, 1 for findings or failures, 2 for usage or tool errors.
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Exit codes shared by every command.
const (
	OK       = 0 // success: nothing found, nothing failed
	Findings = 1 // the command ran and found problems (lint findings, failed cases, differences)
	Usage    = 2 // bad flags or arguments, or the tool itself failed
)

// Parse parses args into fs, with --version added. usage writes the command's help to the
// writer it is given. It returns done=true when the command should exit at once with code:
// after --help (usage on stdout, 0), --version (stdout, 0), or a flag error (the error and a
// hint on stderr, 2).
func Parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, usage func(io.Writer)) (code int, done bool) {
	version := fs.Bool("version", false, "print the version and exit")
	fs.SetOutput(stderr)
	// The flag package prints the usage itself on every error; the help goes to stdout here
	// instead, once, and an error gets a one-line hint.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return OK, true
		}
		fmt.Fprintf(stderr, "run '%s --help' for usage\n", fs.Name())
		return Usage, true
	}
	if *version {
		fmt.Fprintln(stdout, Version(fs.Name()))
		return OK, true
	}
	return OK, false
}

// PrintFlags writes the flags of fs to w, as flag.PrintDefaults does.
func PrintFlags(fs *flag.FlagSet, w io.Writer) {
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// Version describes the build from its embedded build information: the module version (a
// pseudo-version naming the commit when built in a clone, "(devel)" without VCS information),
// the VCS revision and time when the version does not already name it, and the Go version.
func Version(name string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " (no build information)"
	}
	return versionOf(name, bi)
}

func versionOf(name string, bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified, when string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			when = s.Value
		}
	}
	out := name + " " + v
	if len(rev) > 12 {
		rev = rev[:12]
	}
	// Since Go 1.24 a build in a repository has a pseudo-version that holds the revision
	// (and +dirty); older builds, and -buildvcs builds of a "(devel)" tree, do not.
	if rev != "" && !strings.Contains(v, rev) {
		out += " " + rev
		if modified == "true" {
			out += "-dirty"
		}
		if when != "" {
			out += " " + when
		}
	}
	return out + " " + bi.GoVersion
}
