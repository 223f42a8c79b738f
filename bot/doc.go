// Package bot puts a bot or AI agent into every Amazon Connect chat: a
// runtime that takes "this contact needs the bot", adds the bot to the chat
// as a CUSTOM_BOT participant, runs one handler per chat over a live
// [chat.Session], and leaves. The same code runs against the local service
// (participanttest, `participant local`) and Amazon Connect.
//
//	r, err := bot.New(bot.Options{
//		Client: participant.NewFromConfig(cfg),
//		Join:   connectjoin.New(connectClient, instanceID, "Helper Bot"),
//		Handle: func(ctx context.Context, c *bot.Chat) error {
//			for {
//				ev, err := c.Next(ctx)
//				if err != nil {
//					return err // chat.ErrChatEnded, or ctx ended
//				}
//				if ev.Kind == chat.KindMessage && !ev.Own && !ev.Update &&
//					ev.Item.ParticipantRole == participant.ParticipantRoleCustomer {
//					c.MarkRead(ev.Item.ID)
//					stop := c.Typing(ctx) // while the answer is worked out
//					answer := think(ev.Item.Content)
//					stop()
//					if err := c.Send(ctx, answer); err != nil {
//						return err
//					}
//				}
//			}
//		},
//	})
//	intake, err := r.ContactEvents(bot.IntakeOptions{Secret: secret})
//	http.Handle("/contact-events", intake) // the EventBridge API destination
//	...
//	r.Shutdown(ctx) // on SIGTERM
//
// # Intake
//
// A chat reaches the runner as a contact id, by one of two roads:
//
//   - [Runner.Start], for programs that learn of chats their own way (a
//     contact flow's Lambda, a queue consumer);
//   - [Runner.ContactEvents], an http.Handler for Amazon Connect's contact
//     events as an EventBridge API destination delivers them: an EventBridge
//     rule on source aws.connect, detail-type "Amazon Connect Contact
//     Event", detail.channel CHAT, targets an API destination whose
//     connection uses API key authorization (the header name and secret of
//     [IntakeOptions]). INITIATED and CONNECTED_TO_SYSTEM start the bot,
//     DISCONNECTED stops it, anything else is answered 200 and ignored.
//
// Then, for each contact: Options.Join (CreateParticipant with role
// CUSTOM_BOT; bot/connectjoin has one over aws-sdk-go-v2), chat.Connect
// with the ParticipantToken it returns, and Options.Handle in a goroutine of
// its own. When the handler returns, the runner leaves the chat
// (DisconnectParticipant), unless the chat ended. A bot that hands over to
// a person says goodbye and returns: the flow routes the chat on.
//
// # Behaviour
//
//   - At most Options.MaxChats chats at once, joins in progress included;
//     past it Start returns ErrFull (the intake answers 429).
//   - One bot per contact: an intake for a contact whose bot is joining,
//     running or finished (the last Options.Remember contacts) is ignored,
//     so an event delivered twice, or INITIATED and CONNECTED_TO_SYSTEM of
//     one chat, start it once; a DISCONNECTED that arrives before its
//     INITIATED keeps it from starting at all.
//   - A panic in a handler ends that chat's bot only: it is recovered,
//     logged at Error with its stack, counted (Stats.Panics), and the chat
//     is left.
//   - A session that breaks (it gave up reconnecting) is resumed from its
//     checkpoint (chat.Session.Checkpoint, chat.Resume): the handler's Chat.Next
//     goes on with the items missed meanwhile, none twice.
//   - [Runner.Shutdown] stops taking chats, lets running handlers finish
//     until its ctx ends, then ends their ctx and leaves their chats.
//   - Every slog record carries the contact_id attribute; [Runner.Stats]
//     counts joins, duplicates, refusals, panics, resumes and leaves.
//
// # Several processes
//
// Runners in several processes must not put two bots into one chat. Use a
// queue that gives each contact to one consumer at a time, rather than
// coordination of your own: an EventBridge rule (detail.channel CHAT,
// detail.eventType INITIATED or DISCONNECTED) targets an SQS FIFO queue
// with the contact id as the message group id and the event's id as the
// deduplication id, and each process consumes it, calling Start for
// INITIATED and Stop for DISCONNECTED, and deleting a message once Start
// returned nil. SQS drops a second delivery of one event, and hands the
// messages of one contact to one consumer at a time, in order; Start
// returns only once the bot joined (or failed, leaving the message to come
// back). If a process dies between joining and deleting, the message
// comes back to another one, whose Join calls CreateParticipant with the
// same ClientToken (connectjoin derives it from the contact id and the
// bot's name): Amazon Connect returns the same participant rather than
// adding a second bot. The example Example (Queue) runs this consumer loop
// in two runners, with a few lines standing in for SQS FIFO.
//
// # Capacity
//
// A bot chat holds about 37 KB and two parked goroutines (its session's
// reader and its handler) in the bot's process; see
// BenchmarkIdleBotsProcessOnly. Answering costs little: BenchmarkChats runs
// 1,000 chats, each asked once a second, with the emulator and the
// customers in the same 2-core process, and an answer arrives about 1 ms
// after its question at the median, for about 0.8 ms of CPU time per
// answer in the whole process (customer, emulator and bot). With the bots
// in a process of their own (BenchmarkLoadedBotsProcessOnly: the emulator
// and the customers in another), that process used about 0.45 ms of CPU
// time and allocated 15 KB per answer: the 1,000 chats took half of one
// core.
//
// The tail is the garbage collector's: a collection (one every 2 s or so
// there, each marking for 50 to 100 ms) holds up the answers of its time
// by tens of milliseconds, each waiting at every goroutine it passes
// through. With 100 or 300 chats the p99 was about 5 ms; with 1,000, how
// long depends on the machine's spare CPU: on a shared machine, the time
// its hypervisor steals (the benchmark's steal-%) makes it longer. In 28 runs of 10 s on a 2-core virtual machine the p99 was
// 10 to 75 ms (median 23) in the 18 runs where less than 0.3% was stolen,
// and 20 to 200 ms (median 80) in the 10 others. Raising GOGC did not help:
// it makes the rarer collections longer. Running with GOMAXPROCS at twice
// the cores did: on 2 cores, GOMAXPROCS=4 gives the collector a P of its
// own instead of slices of the two the chats run on, and in 16 runs beside
// those the p99 was 4 to 32 ms (median 13) with less than 0.3% stolen and
// 8 to 130 ms (median 27) with more, for about a fifth more CPU per answer.
// Compare both on your machine:
//
//	go test -run '^$' -bench 'Chats/1000$' -benchtime 1x -cpu 2,4 ./bot/
//
// # Locally
//
// participanttest.WithContactEvents (and `participant local
// --contact-events URL[,secret]`) POST the same EventBridge-shaped events
// to a URL (INITIATED when a chat starts, DISCONNECTED when it ends), and
// participanttest.WithContactEventFunc hands them to a Go func in tests;
// the local service answers CreateParticipant, so connectjoin's Join works
// against it unchanged.
package bot
