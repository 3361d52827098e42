package script

import (
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The JUnit XML that GitLab, Jenkins and most CI systems read: one
// testsuite of testcases, each with an optional failure (the script ran and
// something did not hold) or error (the script could not run at all) and
// the command log as system-out.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitSkipped is a testcase's <skipped>, with the script's reason.
type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// junitSeconds formats a duration the way JUnit readers expect: seconds
// with a decimal point.
func junitSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// TestName is the name a script goes by in reports: its file name without
// the .trove extension.
func TestName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".trove")
}

// WriteJUnit writes results as a JUnit XML report: one testcase per
// script, classname and file set to the script's path, the failures'
// locations and diffs as the failure text, and the command log as
// system-out (a suite keeps it only for scripts that failed, unless
// verbose); a skipped script is a testcase with <skipped>. The elements
// come in the order the Jenkins/Ant junit-10.xsd schema gives, and only
// its attributes are used, but for file and line, which GitLab reads.
// A testcase's line is in the script's own file: for a failure
// inside a sourced file it is the line of the source command, and the
// failure text has the whole chain.
func WriteJUnit(w io.Writer, suite string, results []*ScriptResult) error {
	var total time.Duration
	s := junitSuite{Name: suite, Tests: len(results)}
	for _, r := range results {
		total += r.Duration
		c := junitCase{
			Name:      TestName(r.Path),
			Classname: r.Path,
			File:      r.Path,
			Time:      junitSeconds(r.Duration),
			SystemOut: escapeControl(r.Log),
		}
		switch {
		case r.Err != nil:
			s.Errors++
			msg := escapeControl(r.Err.Error())
			first, _, _ := strings.Cut(msg, "\n")
			c.Error = &junitProblem{Message: first, Type: "ParseError", Text: msg}
			var pe *ParseErrors
			if errors.As(r.Err, &pe) && len(pe.Errs) > 0 {
				c.Line = pe.Errs[0].Top().Line
			}
		case r.Skipped && len(r.Failures) == 0:
			s.Skipped++
			c.Skipped = &junitSkipped{Message: escapeControl(r.SkipReason)}
		case len(r.Failures) > 0:
			s.Failures++
			c.Line = r.Failures[0].Loc.Top().Line
			reports := make([]string, len(r.Failures))
			for i, f := range r.Failures {
				reports[i] = f.Report()
			}
			c.Failure = &junitProblem{
				Message: r.Failures[0].Error(),
				Type:    "ScriptFailure",
				Text:    strings.Join(reports, "\n\n"),
			}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Time = junitSeconds(total)
	doc := junitSuites{
		Name: suite, Tests: s.Tests, Failures: s.Failures, Errors: s.Errors,
		Time: s.Time, Suites: []junitSuite{s},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
