package lint

import "fmt"

// Ledger is a spec's doc-discrepancy ledger (format: spec/README.md).
type Ledger struct {
	Src     *Source
	Entries []LedgerEntry
}

// LedgerEntry is the part of a ledger entry the linter reads.
type LedgerEntry struct {
	ID        string `yaml:"id"`
	Grade     string `yaml:"grade"`
	Locations []string
	Checks    []struct {
		Schema  string `yaml:"schema"`
		Example string `yaml:"example"`
		Valid   bool   `yaml:"valid"`
		Warns   bool   `yaml:"warns"`
	}
}

// ParseLedger reads a ledger file.
func ParseLedger(file string, data []byte) (*Ledger, error) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	l := &Ledger{Src: &Source{File: file, Root: root}}
	if err := root.Decode(&l.Entries); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return l, nil
}

// Breaks reports whether the ledger records the example ref as breaking a rule of the pages:
// an enforced one (valid: false) or an advisory one (warns: true).
func (l *Ledger) Breaks(ref string) bool {
	if l == nil {
		return false
	}
	for _, e := range l.Entries {
		for _, c := range e.Checks {
			if c.Example == ref && (!c.Valid || c.Warns) {
				return true
			}
		}
	}
	return false
}

// Entry returns the entry called id.
func (l *Ledger) Entry(id string) (LedgerEntry, int, bool) {
	if l != nil {
		for i, e := range l.Entries {
			if e.ID == id {
				return e, i, true
			}
		}
	}
	return LedgerEntry{}, -1, false
}
