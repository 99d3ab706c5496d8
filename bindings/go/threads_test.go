package cxm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeEvents writes a CSV of n NPS answers on the email channel.
func writeEvents(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("time,customer,kind,value,channel\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,c%d,nps,%d,email\n", 1735725600+i, i%5000, i%11)
	}
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCloseDuringIngest closes the store while another goroutine ingests:
// the ingest either ran whole (Close waited for it) or found the store
// closed (StatusState); never a crash or a partial result.
func TestCloseDuringIngest(t *testing.T) {
	const rows = 60000
	path := writeEvents(t, rows)
	waited := 0
	for round := 0; round < 30; round++ {
		s, err := NewStore()
		if err != nil {
			t.Fatal(err)
		}
		var st IngestStats
		var ierr error
		var end time.Time
		finished := make(chan struct{})
		go func() {
			st, _, ierr = s.Ingest(path)
			end = time.Now()
			close(finished)
		}()
		time.Sleep(time.Duration(round%10) * 500 * time.Microsecond)
		began := time.Now()
		s.Close()
		<-finished
		if ierr == nil {
			if st.Events != rows {
				t.Fatalf("round %d: ingest kept %d of %d events", round, st.Events, rows)
			}
			// Close began before the whole ingest returned: the two overlapped,
			// and the full result shows Close waited. (Close may still return
			// before this goroutine reads the clock: no order is checked.)
			if began.Before(end) {
				waited++
			}
		} else {
			wantStatus(t, "ingest after close", ierr, StatusState)
		}
		_, err = s.NPS(Filter{})
		wantStatus(t, "query after close", err, StatusState)
		s.Close() // close after close: nothing
	}
	if waited == 0 {
		t.Fatal("no round closed the store during an ingest")
	}
}

// TestCloseDuringChurn closes the store while goroutines run Churn and
// queries on it.
func TestCloseDuringChurn(t *testing.T) {
	path := writeEvents(t, 60000)
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Ingest(path); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	calls := 0
	fail := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for {
				var err error
				if g%2 == 0 {
					_, _, err = s.Churn(ChurnOptions{})
				} else {
					var n *NPS
					n, err = s.NPS(Filter{Channel: "email"})
					if err == nil && n.N != 60000 {
						err = fmt.Errorf("NPS n = %d", n.N)
					}
				}
				if err != nil {
					var e *Error
					if !asError(err, &e) || e.Status != StatusState {
						fail <- err
					}
					return
				}
				mu.Lock()
				calls++
				mu.Unlock()
			}
		}(g)
	}
	time.Sleep(300 * time.Millisecond)
	s.Close()
	wg.Wait()
	close(fail)
	for err := range fail {
		t.Error(err)
	}
	if calls == 0 {
		t.Fatal("no call ran before the close")
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// TestParallelRecord has four goroutines record into one store, each with
// its own customers, channel and value: every event must be kept, with its
// own fields.
func TestParallelRecord(t *testing.T) {
	const perG, gs = 20000, 4
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	fail := make(chan error, gs)
	for g := 0; g < gs; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < perG; i++ {
				err := s.Record(Event{ID: fmt.Sprintf("g%d-e%d", g, i), Customer: fmt.Sprintf("g%d-c%d", g, i%500),
					Time: time.Unix(1735725600+int64(i), 0), Kind: "nps", Value: Float(float64(g + 6)),
					Channel: fmt.Sprintf("g%d", g)})
				if err != nil {
					fail <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(fail)
	for err := range fail {
		t.Fatal(err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != perG*gs || st.Duplicates != 0 || st.Customers != 500*gs {
		t.Fatalf("stats %+v: want %d events, %d customers", st, perG*gs, 500*gs)
	}
	for g := 0; g < gs; g++ {
		n, err := s.NPS(Filter{Channel: fmt.Sprintf("g%d", g)})
		if err != nil {
			t.Fatal(err)
		}
		want := [3]uint64{} // promoters, passives, detractors
		switch g + 6 {
		case 6:
			want[2] = perG
		case 7, 8:
			want[1] = perG
		default:
			want[0] = perG
		}
		if n.N != perG || [3]uint64{n.Promoters, n.Passives, n.Detractors} != want {
			t.Fatalf("channel g%d: %+v, want n %d and %v", g, *n, perG, want)
		}
	}
}

// TestNULRefused: a NUL byte would cut a C string; paths and ids holding
// one are refused, and nothing is recorded.
func TestNULRefused(t *testing.T) {
	path := writeEvents(t, 3)
	s, err := NewStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = s.Ingest(path + "\x00.jsonl") // cut, it would name the readable file
	wantStatus(t, "path with NUL", err, StatusIO)
	at := time.Unix(1735725600, 0)
	wantStatus(t, "customer with NUL", s.Record(Event{Customer: "a\x00b", Time: at, Kind: "nps", Value: Float(9)}),
		StatusCustomer)
	wantStatus(t, "event id with NUL", s.Record(Event{ID: "e\x00", Customer: "a", Time: at, Kind: "nps",
		Value: Float(9)}), StatusEventID)
	wantStatus(t, "ref with NUL", s.Record(Event{Customer: "a", Time: at, Kind: "contact_open", Ref: "r\x00x"}),
		StatusRef)
	if st, _ := s.Stats(); st.Events != 0 {
		t.Fatalf("%d events recorded by refused calls", st.Events)
	}
	if st, _, err := s.Ingest(path); err != nil || st.Events != 3 {
		t.Fatalf("ingest: %v, %d events", err, st.Events)
	}
}
