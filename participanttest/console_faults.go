package participanttest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// faultSpec is a fault as the console's control API takes it: either its
// text in the grammar of [ParseFault] (spec), or the fields of the page's
// form, which are written in that grammar and parsed the same way, so that
// one grammar and one set of ranges apply. Kind is a builder's name
// ("Fail", "DropSocket", ...).
type faultSpec struct {
	Spec          string  `json:"spec"`
	Kind          string  `json:"kind"`
	Op            string  `json:"op"`
	Code          string  `json:"code"`
	Status        int     `json:"status"`
	Message       string  `json:"message"`
	Delay         string  `json:"delay"`
	Rate          float64 `json:"rate"`
	Burst         int     `json:"burst"`
	CloseCode     int     `json:"closeCode"`
	Reason        string  `json:"reason"`
	ContactID     string  `json:"contactId"`
	ParticipantID string  `json:"participantId"`
	Times         int     `json:"times"`
	Always        bool    `json:"always"`
	Probability   float64 `json:"probability"`
	After         int     `json:"after"`
}

// text writes the spec in the grammar of ParseFault. Zero fields are
// left out, as the form leaves them empty.
func (sp faultSpec) text() string {
	if sp.Spec != "" {
		return sp.Spec
	}
	var b strings.Builder
	b.WriteString(sp.Kind + "(" + strings.Join(sp.args(), ", ") + ")")
	call := func(on bool, name, arg string) {
		if on {
			b.WriteString("." + name + "(" + arg + ")")
		}
	}
	call(sp.Kind == "Fail" && sp.Status != 0, "WithStatus", strconv.Itoa(sp.Status))
	call(sp.Kind == "Fail" && sp.Message != "", "WithMessage", strconv.Quote(sp.Message))
	call(sp.Always, "Always", "")
	call(!sp.Always && sp.Times != 0 && sp.Kind != "Throttle", "Times", strconv.Itoa(sp.Times))
	call(sp.Probability != 0, "Probability", strconv.FormatFloat(sp.Probability, 'g', -1, 64))
	call(sp.After != 0, "After", strconv.Itoa(sp.After))
	call(sp.ContactID != "", "ForContact", strconv.Quote(sp.ContactID))
	call(sp.ParticipantID != "", "ForParticipant", strconv.Quote(sp.ParticipantID))
	return b.String()
}

// args are the builder's arguments of the form's fields.
func (sp faultSpec) args() []string {
	op := word(cmp.Or(sp.Op, "*"))
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch sp.Kind {
	case "Fail":
		return []string{op, strconv.Quote(sp.Code)}
	case "Throttle":
		return []string{op, num(sp.Rate), strconv.Itoa(sp.Burst)}
	case "Latency":
		return []string{op, strconv.Quote(sp.Delay)}
	case "CloseSocket":
		return []string{strconv.Itoa(sp.CloseCode), strconv.Quote(sp.Reason)}
	case "RefuseWebSocket":
		if sp.Status != 0 {
			return []string{strconv.Itoa(sp.Status)}
		}
	case "ErrorFrame":
		if sp.Message != "" {
			return []string{strconv.Quote(sp.Message)}
		}
	}
	return nil
}

func (s *Server) consoleAddFault(w http.ResponseWriter, r *http.Request) {
	var sp faultSpec
	if !decodeConsole(w, r, &sp) {
		return
	}
	f, err := ParseFault(sp.text())
	if err != nil {
		consoleError(w, http.StatusBadRequest, "participanttest console: "+strings.TrimPrefix(err.Error(), "participanttest: "))
		return
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	views := s.faultViews()
	id := s.console.ids[f]
	s.mu.Unlock()
	i := slices.IndexFunc(views, func(v consoleFault) bool { return v.ID == id })
	consoleJSON(w, http.StatusOK, views[i])
}
