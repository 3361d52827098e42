package repl

import (
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/trovemem/trovemem/internal/topics"
	"github.com/trovemem/trovemem/trove"
)

// The values commands return. Renderers draw them; tests and scripts can
// inspect them directly. JSON names follow the driver's.

// BucketList is the result of buckets, and of ls without a bucket.
type BucketList struct {
	Buckets []trove.BucketInfo `json:"buckets"`
}

// ObjectPage is one page of ls: objects and common prefixes, each in key
// order, and the cursor for the next page ("" on the last page).
type ObjectPage struct {
	Bucket     string              `json:"-"`
	Objects    []*trove.ObjectInfo `json:"objects"`
	Prefixes   []string            `json:"prefixes"`
	NextCursor string              `json:"next_cursor"`
	Stranded   map[string]string   `json:"stranded,omitempty"` // key -> backend it routes to; see layout.go
}

// PutResult is the object a put, cp or mv wrote.
type PutResult struct {
	Bucket string `json:"bucket"`
	trove.ObjectInfo
	// Warning, when set, says the object was written where the rules do
	// not send it (put --backend), so get misses it.
	Warning string `json:"warning,omitempty"`
}

// ObjectDetail is what head shows about an object.
type ObjectDetail struct {
	Bucket string `json:"bucket"`
	trove.ObjectInfo
}

// Content is the bytes get read, with the object's info.
type Content struct {
	Bucket      string
	Key         string
	ContentType string
	ETag        string
	Size        int64 // of the whole object, even when Range read part of it
	Range       string
	Data        []byte
	// Body, when set, is the object's reader, which Render copies to its
	// writer as it reads (and closes): get in table and plain output, and
	// get --out - in any mode, never hold the content in memory. Data is
	// then nil.
	Body io.ReadCloser
}

// MarshalJSON writes the content as text when it is valid UTF-8 and as
// base64 otherwise, so a JSON reader always gets the exact bytes back.
func (c *Content) MarshalJSON() ([]byte, error) {
	doc := struct {
		Bucket        string `json:"bucket"`
		Key           string `json:"key"`
		Size          int64  `json:"size"`
		ContentType   string `json:"content_type,omitempty"`
		ETag          string `json:"etag,omitempty"`
		Range         string `json:"range,omitempty"`
		Content       string `json:"content,omitempty"`
		ContentBase64 []byte `json:"content_base64,omitempty"`
	}{Bucket: c.Bucket, Key: c.Key, Size: c.Size, ContentType: c.ContentType, ETag: c.ETag, Range: c.Range}
	if utf8.Valid(c.Data) {
		doc.Content = string(c.Data)
	} else {
		doc.ContentBase64 = c.Data
	}
	return json.Marshal(doc)
}

// Saved reports get --out writing an object to a file.
type Saved struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
}

// Done reports a command that changed something and has nothing to show.
// Table and plain output print nothing for it, as Unix tools are silent on
// success; JSON prints it, so every command yields one document.
type Done struct {
	Op      string   `json:"op"`
	Bucket  string   `json:"bucket,omitempty"`
	Keys    []string `json:"keys,omitempty"`
	Backend string   `json:"backend,omitempty"`
	DSN     string   `json:"dsn,omitempty"`
	Pattern string   `json:"pattern,omitempty"`
	// Deleted counts the objects a forced rmbucket or unmount removed.
	Deleted int `json:"deleted,omitempty"`
}

// Removed is what rm --recursive deleted, or rm --dry-run would delete.
type Removed struct {
	Op     string   `json:"op"` // always "rm"
	Bucket string   `json:"bucket"`
	Keys   []string `json:"keys"`
	DryRun bool     `json:"dry_run,omitempty"`
}

// MarshalJSON sets op.
func (r *Removed) MarshalJSON() ([]byte, error) {
	type plain Removed
	c := plain(*r)
	c.Op = "rm"
	return json.Marshal(c)
}

// Message is plain text, such as echo's.
type Message struct {
	Text string `json:"message"`
}

// BackendRow is one line of backends.
type BackendRow struct {
	Name    string `json:"name"`
	DSN     string `json:"dsn"`
	Objects int    `json:"objects"`
	Bytes   int64  `json:"bytes"`
}

// BackendTable is the result of backends.
type BackendTable struct {
	Backends []BackendRow `json:"backends"`
}

// RouteTable is the result of routes: the rules in the order they apply,
// route functions (consulted first) before pattern routes.
type RouteTable struct {
	Funcs    []string       `json:"funcs,omitempty"`
	Routes   []trove.Route  `json:"routes"`
	Problems []RouteProblem `json:"problems,omitempty"` // see layout.go
	// DefaultCoveredBy is the number of a rule that matches every key, so
	// the implicit default rule after it never gets one; 0 when none does.
	DefaultCoveredBy int `json:"default_covered_by,omitempty"`
}

// HelpText is the result of help: one command in full, or the list.
type HelpText struct {
	Command  *Command   // nil for the list
	Commands []*Command // the list, when Command is nil
	// Program is written before the usage line ("trovemem " when the
	// binary shows a command's help for trovemem CMD); "" in the REPL.
	Program string
	// Topic names the manual's topic shown (help topics NAME); TopicList
	// lists the topics (help topics).
	Topic     string
	TopicList bool
}

// MarshalJSON describes the command, or lists the commands.
func (h *HelpText) MarshalJSON() ([]byte, error) {
	type cmdDoc struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases,omitempty"`
		Usage   string   `json:"usage"`
		Summary string   `json:"summary"`
		Detail  string   `json:"detail,omitempty"`
		Flags   []string `json:"flags,omitempty"`
		Example string   `json:"example,omitempty"`
	}
	doc := func(c *Command, full bool) cmdDoc {
		d := cmdDoc{Name: c.Name, Aliases: c.Aliases, Usage: c.Usage(), Summary: c.Summary}
		if full {
			d.Detail, d.Flags, d.Example = c.Detail, c.FlagHelp(), c.Example
		}
		return d
	}
	if h.Topic != "" {
		return json.Marshal(struct {
			Topic string `json:"topic"`
			Text  string `json:"text"`
		}{h.Topic, h.text()})
	}
	if h.TopicList {
		type topicDoc struct {
			Name    string `json:"name"`
			Summary string `json:"summary"`
		}
		var list []topicDoc
		for _, n := range topics.Names {
			list = append(list, topicDoc{n, topics.Summary(n)})
		}
		return json.Marshal(struct {
			Topics []topicDoc `json:"topics"`
		}{list})
	}
	if h.Command != nil {
		return json.Marshal(doc(h.Command, true))
	}
	list := make([]cmdDoc, len(h.Commands))
	for i, c := range h.Commands {
		list[i] = doc(c, false)
	}
	return json.Marshal(struct {
		Commands []cmdDoc `json:"commands"`
	}{list})
}
