package repl

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/trove"
)

func TestRows(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("X", 3600))
	page := &ObjectPage{
		Objects:    []*trove.ObjectInfo{{Key: "a b", Size: 2048, LastModified: when, Backend: "default"}, {Key: "c", Size: 5, LastModified: when, Backend: "fast"}},
		Prefixes:   []string{"b/"},
		NextCursor: "Yw",
	}
	tests := []struct {
		name  string
		v     Result
		human bool
		want  *grid
	}{
		{"page for a table", page, true, &grid{
			Header: []string{"key", "size", "last modified", "backend"},
			Rows: [][]string{
				{"'a b'", "2.0 KiB", "2024-05-01T11:00:00Z", "default"},
				{"b/", "-", "-", "-"},
				{"c", "5 B", "2024-05-01T11:00:00Z", "fast"},
			},
			After: []string{"next cursor: Yw (next, or ls again with --cursor Yw, lists the next page)"},
		}},
		{"page for plain", page, false, &grid{
			Header: []string{"key", "size", "last modified", "backend"},
			Rows: [][]string{
				{"a b", "2048", "2024-05-01T11:00:00Z", "default"},
				{"b/", "-", "-", "-"},
				{"c", "5", "2024-05-01T11:00:00Z", "fast"},
			},
			After: []string{"next cursor: Yw"},
		}},
		{"put result", &PutResult{Bucket: "demo", ObjectInfo: trove.ObjectInfo{Key: "new\nline", Size: 3, ETag: "e", Backend: "default"}}, false, &grid{
			Header: []string{"key", "size", "etag", "backend"},
			Rows:   [][]string{{`new\nline`, "3", "e", "default"}},
		}},
		{"explanation", &Explanation{Explanation: &trove.Explanation{Bucket: "demo", Key: "x.log", Backend: "cold", Winner: 1, Steps: []trove.Step{
			{Kind: trove.RulePattern, Rule: "hot/**", Backend: "fast", Result: trove.ResultNoMatch, Reason: `key does not start with "hot/"`},
			{Kind: trove.RulePattern, Rule: "*.log", Backend: "cold", Matched: true, Result: trove.ResultWins, Reason: "matches"},
			{Kind: trove.RuleDefault, Rule: "default", Backend: "default", Result: trove.ResultShadowed, Reason: "would match (it takes every key), shadowed by rule 2 (*.log)"},
		}}, Object: &ObjectWhere{Holders: []string{"default"}, Target: "cold", Stranded: true}}, false, &grid{
			Before: []string{"bucket demo, key x.log -> cold"},
			Header: []string{"#", "rule", "backend", "result", "why"},
			Rows: [][]string{
				{"1", "hot/**", "fast", "not matched", `key does not start with "hot/"`},
				{"2", "*.log", "cold", "matched (wins)", "matches"},
				{"3", "default", "default", "shadowed", "would match (it takes every key), shadowed by rule 2 (*.log)"},
			},
			After: []string{"object is on default (stranded: rules send it to cold; `rebalance` moves it)"},
		}},
		{"stats", &StatsTable{Stores: []StoreStats{{Store: "main", Buckets: 2, Objects: 1, Bytes: 1536, Backends: []BackendStats{{BackendUsage: trove.BackendUsage{Name: "default", Buckets: 2, Objects: 1, Bytes: 1536}, Share: 1}}}}, Buckets: 2, Objects: 1, Bytes: 1536}, true, &grid{
			Header: []string{"store", "backend", "buckets", "objects", "bytes", "share", ""},
			Rows:   [][]string{{"main", "default", "2", "1", "1.5 KiB", "100%", "####################"}},
			After:  []string{"total: 2 buckets, 1 object, 1.5 KiB"},
		}},
		{"routes with a function", &RouteTable{Funcs: []string{"tenant"}, Routes: []trove.Route{{Pattern: "a b/*", Backend: "x"}}}, false, &grid{
			Header: []string{"#", "rule", "kind", "backend"},
			Rows: [][]string{
				{"1", "tenant", "func", "(decided by the function)"},
				{"2", "a b/*", "pattern", "x"},
				{"3", "default", "default", "default"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := rows(tt.v, tt.human)
			if !ok {
				t.Fatalf("rows(%T) is not tabular", tt.v)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {10 * 1024, "10 KiB"},
		{5 << 20, "5.0 MiB"}, {3 << 30, "3.0 GiB"},
	}
	for _, tt := range tests {
		if got := HumanSize(tt.n); got != tt.want {
			t.Errorf("HumanSize(%d): got %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestTableRenderer(t *testing.T) {
	var b bytes.Buffer
	page := &ObjectPage{Objects: []*trove.ObjectInfo{{Key: "k", Size: 2048, Backend: "default"}}, NextCursor: "aw"}
	if err := (TableRenderer{}).Render(&b, page); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{"KEY", "LAST MODIFIED", "2.0 KiB", "│", "next cursor: aw"} {
		if !strings.Contains(got, want) {
			t.Errorf("table output\n%s\nlacks %q", got, want)
		}
	}
	// Its last line says how to go on, also at the end of a pager.
	if want := "next cursor: aw (next, or ls again with --cursor aw, lists the next page)\n"; !strings.HasSuffix(got, want) {
		t.Errorf("table output\n%s\nshould end with %q", got, want)
	}
}

func TestGuessContentType(t *testing.T) {
	tests := map[string]string{"a.txt": "text/plain", "x/Y.JSON": "application/json", "noext": "", "a.weird": ""}
	for key, want := range tests {
		if got := GuessContentType(key); got != want {
			t.Errorf("GuessContentType(%q): got %q, want %q", key, got, want)
		}
	}
}

// rows lays out a result as a grid; ok is false for results that are not
// tabular.
func rows(v Result, human bool) (g *grid, ok bool) {
	l := v.layout(human)
	return l.grid, l.grid != nil
}
