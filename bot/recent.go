package bot

// recent remembers the last max contact ids added, the oldest forgotten
// first: the finished contacts whose repeated intakes are ignored. It does
// no I/O and takes no clock; Runner.mu guards it.
type recent struct {
	max  int
	ids  map[string]struct{}
	ring []string // the ids in the order added; once full, next is the oldest
	next int
}

func newRecent(max int) recent {
	return recent{max: max, ids: make(map[string]struct{})}
}

// add remembers id, forgetting the oldest id when max are remembered. An
// id already remembered is not added twice.
func (r *recent) add(id string) {
	if r.max <= 0 {
		return
	}
	if _, ok := r.ids[id]; ok {
		return
	}
	r.ids[id] = struct{}{}
	if len(r.ring) < r.max {
		r.ring = append(r.ring, id)
		return
	}
	delete(r.ids, r.ring[r.next])
	r.ring[r.next] = id
	r.next = (r.next + 1) % r.max
}

// has reports whether id is remembered.
func (r *recent) has(id string) bool {
	_, ok := r.ids[id]
	return ok
}
