package cxm_test

import (
	"bytes"
	"errors"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"cxm.example/cxm"
)

var sampleCSV = filepath.Join("..", "..", "examples", "data", "sample_events.csv")

// A missing file is an *fs.PathError around the *cxm.Error around the OS
// error: errors.Is sees fs.ErrNotExist and cxm.ErrIO, errors.As the path.
func TestFileErrorsAreIdiomatic(t *testing.T) {
	s, err := cxm.NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	missing := filepath.Join(t.TempDir(), "missing.csv")
	_, _, err = s.Ingest(missing)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Ingest(missing): %v is not fs.ErrNotExist", err)
	}
	if !errors.Is(err, cxm.ErrIO) || errors.Is(err, cxm.ErrValue) {
		t.Fatalf("Ingest(missing): %v: want ErrIO only", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != missing || pe.Op != "ingest" {
		t.Fatalf("Ingest(missing): %#v is not a PathError for the path", err)
	}
	var ce *cxm.Error
	if !errors.As(err, &ce) || ce.Status != cxm.StatusIO {
		t.Fatalf("Ingest(missing): no *cxm.Error StatusIO in %v", err)
	}
	dir := t.TempDir()
	_, _, err = s.Ingest(dir)
	if !errors.Is(err, cxm.ErrNotFile) && !errors.Is(err, cxm.ErrIO) {
		t.Fatalf("Ingest(dir): %v", err)
	}
	if _, err := cxm.Load(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing): %v", err)
	}
	if err := s.Save(filepath.Join(dir, "no", "such", "dir", "x.cxm")); !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) {
		t.Fatalf("Save into a missing directory: %v", err)
	}
	// A bad value is ErrTime, not ErrIO, and not wrapped in a PathError.
	_, err = s.RecordEvent(cxm.Event{Customer: "a", Time: time.Unix(-5, 0), Kind: "nps", Value: cxm.Float(1)})
	if !errors.Is(err, cxm.ErrTime) || errors.As(err, &pe) {
		t.Fatalf("RecordEvent(time before 1970): %v", err)
	}
	s.Close()
	if _, err := s.Stats(); !errors.Is(err, cxm.ErrState) {
		t.Fatalf("closed store: %v", err)
	}
}

func TestRecordEventReportsDuplicates(t *testing.T) {
	s, _ := cxm.NewStore()
	defer s.Close()
	e := cxm.Event{ID: "e1", Customer: "a", Time: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), Kind: "nps", Value: cxm.Float(9)}
	if ok, err := s.RecordEvent(e); !ok || err != nil {
		t.Fatalf("first: %v %v", ok, err)
	}
	if ok, err := s.RecordEvent(e); ok || err != nil {
		t.Fatalf("duplicate: %v %v (want false, nil)", ok, err)
	}
	if err := s.Record(e); err != nil { // the old form: nil for a duplicate
		t.Fatal(err)
	}
	e.Value = cxm.Float(11)
	e.ID = "e2"
	if ok, err := s.RecordEvent(e); ok || !errors.Is(err, cxm.ErrValue) {
		t.Fatalf("bad value: %v %v", ok, err)
	}
	st, _ := s.Stats()
	if st.Events != 1 || st.Duplicates != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// IngestReader equals Ingest of the file; snapshots round trip; merge of
// two halves answers as the whole; a conflict changes nothing.
func TestReaderSnapshotMerge(t *testing.T) {
	data, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cxm.NewStore()
	defer a.Close()
	b, _ := cxm.NewStore()
	defer b.Close()
	sa, _, err := a.Ingest(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	sb, rows, err := b.IngestReader(bytes.NewReader(data), cxm.IngestOptions{})
	if err != nil || sa != sb || len(rows) != 0 {
		t.Fatalf("IngestReader: %+v %v %v, Ingest %+v", sb, rows, err, sa)
	}
	ba, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	bb, _ := b.Snapshot()
	if !bytes.Equal(ba, bb) || len(ba) < 1000 {
		t.Fatalf("snapshots differ (%d, %d bytes)", len(ba), len(bb))
	}
	path := filepath.Join(t.TempDir(), "s.cxm")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	for _, load := range []func() (*cxm.Store, error){
		func() (*cxm.Store, error) { return cxm.Load(path) },
		func() (*cxm.Store, error) { return cxm.LoadBytes(ba) },
	} {
		c, err := load()
		if err != nil {
			t.Fatal(err)
		}
		bc, _ := c.Snapshot()
		c.Close()
		if !bytes.Equal(ba, bc) {
			t.Fatal("loaded store differs")
		}
	}
	if _, err := cxm.LoadBytes([]byte("not a snapshot, not at all")); err == nil {
		t.Fatal("LoadBytes(garbage) succeeded")
	} else if !(errors.Is(err, cxm.ErrFormat) || errors.Is(err, cxm.ErrTruncated)) {
		t.Fatalf("LoadBytes(garbage): %v", err)
	}
	// The two halves of the file, merged, answer as the whole.
	lines := strings.SplitAfter(string(data), "\n")
	head, body := lines[0], lines[1:]
	half := len(body) / 2
	x, _ := cxm.NewStore()
	defer x.Close()
	y, _ := cxm.NewStore()
	defer y.Close()
	if _, _, err := x.IngestReader(strings.NewReader(head+strings.Join(body[:half], "")), cxm.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := y.IngestReader(strings.NewReader(head+strings.Join(body[half:], "")), cxm.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := x.Merge(y); err != nil {
		t.Fatal(err)
	}
	nx, _ := x.NPS(cxm.Filter{})
	na, _ := a.NPS(cxm.Filter{})
	if nx == nil || na == nil || nx.Score != na.Score || nx.N != na.N {
		t.Fatalf("merged NPS %+v, whole %+v", nx, na)
	}
	before, _ := x.Snapshot()
	if err := x.Merge(a); !errors.Is(err, cxm.ErrConflict) { // every event id is in both
		t.Fatalf("Merge(conflict): %v", err)
	}
	after, _ := x.Snapshot()
	if !bytes.Equal(before, after) {
		t.Fatal("a failed merge changed the store")
	}
	if err := x.Merge(x); !errors.Is(err, cxm.ErrArg) {
		t.Fatalf("Merge(self): %v", err)
	}
}

// Every exported name of the package (types, functions, methods,
// constants, variables) has a doc comment.
func TestEveryExportedNameIsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") },
		parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	p := doc.New(pkgs["cxm"], "cxm.example/cxm", 0)
	var missing []string
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			if strings.TrimSpace(v.Doc) != "" {
				continue
			}
			for _, spec := range v.Decl.Specs {
				vs := spec.(*ast.ValueSpec)
				if vs.Doc == nil && vs.Comment == nil {
					for _, n := range vs.Names {
						if n.IsExported() {
							missing = append(missing, n.Name)
						}
					}
				}
			}
		}
	}
	if strings.TrimSpace(p.Doc) == "" {
		missing = append(missing, "package cxm")
	}
	values(p.Consts)
	values(p.Vars)
	for _, f := range p.Funcs {
		if strings.TrimSpace(f.Doc) == "" {
			missing = append(missing, f.Name)
		}
	}
	for _, ty := range p.Types {
		if strings.TrimSpace(ty.Doc) == "" {
			missing = append(missing, ty.Name)
		}
		values(ty.Consts)
		values(ty.Vars)
		for _, f := range ty.Funcs {
			if strings.TrimSpace(f.Doc) == "" {
				missing = append(missing, f.Name)
			}
		}
		for _, m := range ty.Methods {
			if strings.TrimSpace(m.Doc) == "" {
				missing = append(missing, ty.Name+"."+m.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("exported names without a doc comment: %s", strings.Join(missing, ", "))
	}
}

// Every function libcxm exports is called by the package or listed in
// docs/bindings.md under "### Go: not wrapped", and no listed one is
// called.
func TestEveryExportedFunctionIsWrappedOrListed(t *testing.T) {
	exp, err := os.ReadFile(filepath.Join("..", "..", "tests", "exports", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, line := range strings.Split(string(exp), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			exported[line] = true
		}
	}
	if len(exported) < 100 {
		t.Fatalf("only %d exported functions read", len(exported))
	}
	called := map[string]bool{}
	name := regexp.MustCompile(`\b(cxm_[a-z0-9_]+)\(`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range name.FindAllStringSubmatch(string(src), -1) {
			called[m[1]] = true
		}
	}
	docs, err := os.ReadFile(filepath.Join("..", "..", "docs", "bindings.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(docs)
	start := strings.Index(text, "### Go: not wrapped")
	if start < 0 {
		t.Fatal(`docs/bindings.md has no "### Go: not wrapped" section`)
	}
	rest := text[start+1:]
	if end := strings.Index(rest, "\n#"); end >= 0 {
		rest = rest[:end]
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("`(cxm_[a-z0-9_]+)`").FindAllStringSubmatch(rest, -1) {
		listed[m[1]] = true
	}
	var missing, stale, unknown []string
	for f := range exported {
		if !called[f] && !listed[f] {
			missing = append(missing, f)
		}
	}
	for f := range listed {
		if called[f] {
			stale = append(stale, f)
		}
		if !exported[f] {
			unknown = append(unknown, f)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	sort.Strings(unknown)
	if len(missing)+len(stale)+len(unknown) > 0 {
		t.Fatalf("neither wrapped nor listed: %v; listed but wrapped: %v; listed but not exported: %v", missing, stale, unknown)
	}
}

// The error-detail calls put the library's sentence in the message;
// SaveWith sets a new file's mode; NewStoreWith takes a bucket; the
// vocabularies and the time text are the library's.
func TestDetailsOptionsAndNames(t *testing.T) {
	s, err := cxm.NewStoreWith(cxm.StoreOptions{Bucket: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	err = s.Record(cxm.Event{Customer: "a", Time: at, Kind: "nps", Value: cxm.Float(11)})
	if !errors.Is(err, cxm.ErrValue) || !strings.Contains(err.Error(), "value 11 for kind nps is not an integer 0..10") {
		t.Errorf("nps 11: %v", err)
	}
	if err := s.Record(cxm.Event{Customer: "a", Time: at, Kind: "nps", Value: cxm.Float(9)}); err != nil {
		t.Fatal(err)
	}
	// One-hour buckets: an hour-aligned window is a valid query.
	n, err := s.NPS(cxm.Filter{From: at.Truncate(time.Hour), To: at.Truncate(time.Hour).Add(time.Hour)})
	if err != nil || n == nil || n.N != 1 {
		t.Errorf("hour window: %+v %v", n, err)
	}
	if _, err := cxm.NewStoreWith(cxm.StoreOptions{Bucket: time.Millisecond}); !errors.Is(err, cxm.ErrOption) {
		t.Errorf("a millisecond bucket: %v, want ErrOption", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.cxms")
	if err := s.SaveWith(path, cxm.SaveOptions{Mode: 0640}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if err := s.SaveWith(path, cxm.SaveOptions{Mode: 010000}); !errors.Is(err, cxm.ErrOption) {
		t.Errorf("mode 010000: %v, want ErrOption", err)
	}
	err = s.Save(filepath.Join(dir, "no", "s.cxms"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "cannot save") {
		t.Errorf("save into a missing directory: %v", err)
	}
	bad := filepath.Join(dir, "bad.cxms")
	os.WriteFile(bad, []byte("not a snapshot"), 0600)
	if _, err := cxm.Load(bad); !errors.Is(err, cxm.ErrFormat) || !strings.Contains(err.Error(), "cannot load") {
		t.Errorf("load a bad file: %v", err)
	}

	if k := cxm.Kinds(); len(k) < 10 || k[0] != "nps" {
		t.Errorf("Kinds: %v", k)
	}
	if c := cxm.Channels(); len(c) != 7 || c[0] != "email" {
		t.Errorf("Channels: %v", c)
	}
	if st := cxm.Stages(); st[0] != "none" || len(st) != 9 {
		t.Errorf("Stages: %v", st)
	}
	if d := cxm.Dimensions(); strings.Join(d, ",") != "none,tangibles,reliability,responsiveness,assurance,empathy" {
		t.Errorf("Dimensions: %v", d)
	}
	got, err := cxm.ParseTime("2026-03-02T12:30:00.9+02:00")
	if err != nil || !got.Equal(at) {
		t.Errorf("ParseTime: %v %v", got, err)
	}
	if _, err := cxm.ParseTime("2026-03-02 12:30"); !errors.Is(err, cxm.ErrTime) {
		t.Errorf("a zone-less time: %v, want ErrTime", err)
	}
	if text, err := cxm.FormatTime(at); err != nil || text != "2026-03-02T10:30:00Z" {
		t.Errorf("FormatTime: %q %v", text, err)
	}
	sample, err := cxm.NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer sample.Close()
	if _, _, err := sample.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"month", "week"} {
		groups, err := sample.Groups(cxm.Filter{}, by)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if key, err := cxm.PeriodKey(g.Filter.From, by); err != nil || key != g.Key {
				t.Errorf("PeriodKey(%v, %s) = %q %v, want %q", g.Filter.From, by, key, err, g.Key)
			}
		}
	}
	if _, err := cxm.PeriodKey(at, "channel"); !errors.Is(err, cxm.ErrBy) {
		t.Errorf("PeriodKey by channel: %v, want ErrBy", err)
	}
	if v := cxm.VersionNumber(); v == 0 || cxm.Version() == "" {
		t.Errorf("VersionNumber %d", v)
	}
}

// Customer handles, Check and RecordBatch give the store RecordEvent gives.
func TestHandlesCheckAndBatch(t *testing.T) {
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	events := []cxm.Event{
		{Customer: "a", Time: at(2, 10), Kind: "nps", Value: cxm.Float(9), Channel: "email", Segment: "vip"},
		{Customer: "b", Time: at(2, 11), Kind: "csat", Value: cxm.Float(4), Channel: "chat"},
		{Customer: "a", Time: at(3, 10), Kind: "purchase", Value: cxm.Float(12.5), ID: "p1"},
		{Customer: "c", Time: at(4, 10), Kind: "ces", Value: cxm.Float(2), Segment: "new"},
	}
	byEvent, _ := cxm.NewStore()
	defer byEvent.Close()
	for _, e := range events {
		if ok, err := byEvent.RecordEvent(e); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	want, _ := byEvent.Snapshot()

	byHandle, _ := cxm.NewStore()
	defer byHandle.Close()
	if _, ok, err := byHandle.FindCustomer("a"); ok || err != nil {
		t.Fatalf("FindCustomer before: %v %v", ok, err)
	}
	handles := map[string]uint32{}
	for _, c := range []string{"a", "b", "c"} {
		h, err := byHandle.Customer(c)
		if err != nil {
			t.Fatal(err)
		}
		handles[c] = h
	}
	if handles["a"] != 0 || handles["c"] != 2 {
		t.Errorf("handles %v", handles)
	}
	if h, ok, _ := byHandle.FindCustomer("b"); !ok || h != 1 {
		t.Errorf("FindCustomer b: %d %v", h, ok)
	}
	if id, err := byHandle.CustomerID(2); err != nil || id != "c" {
		t.Errorf("CustomerID 2: %q %v", id, err)
	}
	if _, err := byHandle.CustomerID(99); !errors.Is(err, cxm.ErrHandle) {
		t.Errorf("CustomerID 99: %v", err)
	}
	for _, e := range events {
		if ok, err := byHandle.RecordFor(handles[e.Customer], e); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if got, _ := byHandle.Snapshot(); !bytes.Equal(got, want) {
		t.Errorf("RecordFor gives another store than RecordEvent")
	}
	if ok, err := byHandle.RecordFor(0, events[2]); ok || err != nil {
		t.Errorf("a duplicate through RecordFor: %v %v", ok, err)
	}
	if _, err := byHandle.RecordFor(99, events[0]); !errors.Is(err, cxm.ErrHandle) {
		t.Errorf("RecordFor 99: %v", err)
	}

	batch, _ := cxm.NewStore()
	defer batch.Close()
	bad := cxm.Event{Customer: "d", Time: at(5, 10), Kind: "nps", Value: cxm.Float(11)}
	noKind := cxm.Event{Customer: "d", Time: at(5, 10), Kind: "poll"}
	all := append(append([]cxm.Event{}, events...), bad, noKind, events[2])
	recorded, errs, err := batch.RecordBatch(all)
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		if !recorded[i] || errs[i] != nil {
			t.Errorf("batch event %d: %v %v", i, recorded[i], errs[i])
		}
	}
	if recorded[4] || !errors.Is(errs[4], cxm.ErrValue) || recorded[5] || !errors.Is(errs[5], cxm.ErrKind) {
		t.Errorf("bad events: %v %v / %v %v", recorded[4], errs[4], recorded[5], errs[5])
	}
	if recorded[6] || errs[6] != nil {
		t.Errorf("a duplicate in the batch: %v %v", recorded[6], errs[6])
	}
	// The same events one by one: the bad ones leave no trace, the
	// duplicate counts as one.
	for _, e := range all[len(events):] {
		byEvent.RecordEvent(e)
	}
	if got, _ := batch.Snapshot(); !bytes.Equal(got, func() []byte { b, _ := byEvent.Snapshot(); return b }()) {
		t.Errorf("RecordBatch gives another store than RecordEvent")
	}

	if err := batch.Check(bad); !errors.Is(err, cxm.ErrValue) {
		t.Errorf("Check of nps 11: %v", err)
	}
	if err := batch.Check(cxm.Event{Customer: "e", Time: at(6, 10), Kind: "nps", Value: cxm.Float(10)}); err != nil {
		t.Errorf("Check of a good event: %v", err)
	}
	if _, ok, _ := batch.FindCustomer("e"); ok {
		t.Errorf("Check recorded its customer")
	}
}

// CSVRecordEnd cuts the sample at record ends; the ranges ingested into
// their own stores and merged give the store of one ingest.
func TestCSVRanges(t *testing.T) {
	data := []byte("time,customer,kind,value,ref\n2026-03-02T10:00:00Z,a,nps,9,\"x\ny\"\n2026-03-02T11:00:00Z,b,nps,3,\n")
	first, err := cxm.CSVRecordEnd(data, 0, ',')
	if err != nil || string(data[:first]) != "time,customer,kind,value,ref\n" {
		t.Fatalf("header end %d %v", first, err)
	}
	second, _ := cxm.CSVRecordEnd(data, first, ',')
	if !bytes.HasSuffix(data[first:second], []byte("\"x\ny\"\n")) {
		t.Errorf("second record %q", data[first:second])
	}
	if _, err := cxm.CSVRecordEnd(data, len(data)+1, ','); !errors.Is(err, cxm.ErrArg) {
		t.Errorf("start beyond the data: %v", err)
	}
	text, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := cxm.CSVRecordEnd(text, 0, ',')
	cuts := []int{head}
	for k := 1; k <= 3; k++ {
		at := len(text) * k / 4
		if at < cuts[len(cuts)-1] {
			at = cuts[len(cuts)-1]
		}
		end, err := cxm.CSVRecordEnd(text, at, ',')
		if err != nil {
			t.Fatal(err)
		}
		cuts = append(cuts, end)
	}
	cuts = append(cuts, len(text))
	whole, _ := cxm.NewStore()
	defer whole.Close()
	if _, _, err := whole.Ingest(sampleCSV); err != nil {
		t.Fatal(err)
	}
	merged, _ := cxm.NewStore()
	defer merged.Close()
	for i := 0; i+1 < len(cuts); i++ {
		part, _ := cxm.NewStore()
		r := io.MultiReader(bytes.NewReader(text[:head]), bytes.NewReader(text[cuts[i]:cuts[i+1]]))
		if _, _, err := part.IngestReader(r, cxm.IngestOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(part); err != nil {
			t.Fatal(err)
		}
		part.Close()
	}
	a, _ := whole.Snapshot()
	b, _ := merged.Snapshot()
	if !bytes.Equal(a, b) {
		t.Errorf("merged ranges differ from one ingest")
	}
}

// A store that omits the customers' tables answers slice queries as a
// full one; churn and saving refuse with StatusState; unknown names are
// ErrOption.
func TestStoreOmit(t *testing.T) {
	full, err := cxm.NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	lean, err := cxm.NewStoreWith(cxm.StoreOptions{Omit: []string{"customer_days", "customer_firsts"}})
	if err != nil {
		t.Fatal(err)
	}
	defer lean.Close()
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for i, e := range []cxm.Event{{Customer: "a", Kind: "nps", Value: cxm.Float(9)}, {Customer: "a", Kind: "purchase", Value: cxm.Float(12.5)},
		{Customer: "b", Kind: "nps", Value: cxm.Float(3)}, {Customer: "b", Kind: "purchase", Value: cxm.Float(4)}} {
		e.Time = at.Add(time.Duration(i) * 30 * time.Hour)
		e.Channel = "web"
		if err := full.Record(e); err != nil {
			t.Fatal(err)
		}
		if err := lean.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	a, err1 := full.NPS(cxm.Filter{})
	b, err2 := lean.NPS(cxm.Filter{})
	if err1 != nil || err2 != nil || *a != *b {
		t.Errorf("NPS: %+v %v, lean %+v %v", a, err1, b, err2)
	}
	fs, _ := full.Stats()
	ls, _ := lean.Stats()
	if ls.MemoryBytes >= fs.MemoryBytes {
		t.Errorf("memory: lean %d, full %d", ls.MemoryBytes, fs.MemoryBytes)
	}
	var e *cxm.Error
	if _, _, err := lean.Churn(cxm.ChurnOptions{}); !errors.As(err, &e) || e.Status != cxm.StatusState {
		t.Errorf("churn of a lean store: %v, want StatusState", err)
	}
	if err := lean.Save(filepath.Join(t.TempDir(), "lean.cxms")); !errors.As(err, &e) || e.Status != cxm.StatusState {
		t.Errorf("saving a lean store: %v, want StatusState", err)
	}
	if _, err := cxm.NewStoreWith(cxm.StoreOptions{Omit: []string{"customer_history"}}); !errors.Is(err, cxm.ErrOption) {
		t.Errorf("an unknown table: %v, want ErrOption", err)
	}
}
