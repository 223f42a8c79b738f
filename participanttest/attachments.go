package participanttest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// attachment is one attachment upload. Guarded by Server.mu.
type attachment struct {
	id, name, contentType string
	c                     *contact
	owner                 *member
	size                  int64
	headers               map[string]string // HeadersToInclude
	data                  []byte
	uploaded, completed   bool
}

// fileURL is an upload or download URL that has been handed out.
type fileURL struct {
	a       *attachment
	upload  bool
	expires time.Time
}

func defaultAttachmentTypes() map[string]bool {
	m := map[string]bool{}
	for _, t := range []string{
		"text/csv", "application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"image/heic", "image/jpeg", "image/pjpeg", "video/quicktime", "video/mp4", "application/pdf", "image/png",
		"application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/rtf", "text/rtf", "text/plain", "audio/wav", "audio/x-wav", "audio/vnd.wave",
		"application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"text/markdown", "application/json",
	} {
		m[t] = true
	}
	return m
}

// httpBase returns the scheme and host of the URLs handed out in answer to
// r.
func httpBase(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

var startAttachmentUploadOp = jsonOp[startUploadIn]{
	check: func(v *checks, in *startUploadIn) {
		v.required("contentType", in.ContentType, 1, 255)
		v.rangeOf("attachmentSizeInBytes", in.AttachmentSizeInBytes, 1, 1<<62)
		v.required("attachmentName", in.AttachmentName, 1, 256)
		v.required("clientToken", in.ClientToken, 1, 500)
	},
	run: func(c *call, in *startUploadIn) (any, *apiError) {
		s, m := c.s, c.m
		if !s.cfg.attachmentTypes[strings.ToLower(in.ContentType)] {
			return nil, validation(fmt.Sprintf("participanttest: attachments of type %q are not supported", in.ContentType))
		}
		if in.AttachmentSizeInBytes > s.cfg.maxAttachment {
			return nil, validation(fmt.Sprintf("participanttest: AttachmentSizeInBytes %d exceeds the limit of %d bytes", in.AttachmentSizeInBytes, s.cfg.maxAttachment))
		}
		if m.c.uploads >= s.cfg.attachmentLimit {
			return nil, newAPIError("ServiceQuotaExceededException", fmt.Sprintf("The number of attachments per contact exceeds the quota (participanttest: %d)", s.cfg.attachmentLimit))
		}
		m.c.uploads++
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": in.AttachmentName})
		if disp == "" {
			disp = "attachment"
		}
		a := &attachment{
			id: s.newID(), name: in.AttachmentName, contentType: in.ContentType, c: m.c, owner: m,
			size:    in.AttachmentSizeInBytes,
			headers: map[string]string{"Content-Type": in.ContentType, "Content-Disposition": disp},
		}
		s.files[a.id] = a
		u, exp := s.fileURL(a, true, s.cfg.life.UploadURL, httpBase(c.x.r))
		return startUploadOut{
			AttachmentID:   a.id,
			UploadMetadata: uploadMetadataOut{URL: u, URLExpiry: formatTime(exp), HeadersToInclude: a.headers},
		}, nil
	},
}

// fileURL hands out an upload or download URL of a. s.mu must be held.
func (s *Server) fileURL(a *attachment, upload bool, life time.Duration, base string) (string, time.Time) {
	now := s.now()
	secret := s.newSecret(32)
	exp := now.Add(life)
	s.fileURLs[secret] = &fileURL{a: a, upload: upload, expires: exp}
	return fmt.Sprintf("%s%s%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s&X-Amz-Expires=%d&X-Amz-Signature=%s",
		base, filesPrefix, secret, now.Format("20060102T150405Z"), int(life.Seconds()), s.newSecret(32)), exp
}

// lookupFile finds the attachment of an upload or download URL. s.mu must
// be held.
func (s *Server) lookupFile(x *exchange, upload bool) (*attachment, *apiError) {
	secret := strings.TrimPrefix(x.r.URL.EscapedPath(), filesPrefix)
	f := s.fileURLs[secret]
	if f == nil || f.upload != upload {
		return nil, newAPIError("AccessDenied", "Access Denied")
	}
	if !s.now().Before(f.expires) {
		return nil, newAPIError("AccessDenied", "Request has expired")
	}
	return f.a, nil
}

// uploadFile is the upload URL: a PUT that must carry exactly the
// HeadersToInclude and exactly AttachmentSizeInBytes bytes, as S3 checks a
// presigned URL. It answers errors in S3's XML form.
func (s *Server) uploadFile(x *exchange) {
	s.mu.Lock()
	a, e := s.lookupFile(x, true)
	var want map[string]string
	var size int64
	if e == nil {
		if a.completed {
			e = newAPIError("AccessDenied", "participanttest: the attachment upload is already complete")
		}
		want, size = a.headers, a.size
	}
	s.mu.Unlock()
	if e != nil {
		x.fail(e)
		return
	}
	for k, v := range want {
		if got := x.r.Header.Get(k); got != v {
			x.fail(newAPIError("SignatureDoesNotMatch", fmt.Sprintf("The request signature we calculated does not match the signature you provided (participanttest: header %s must be exactly %q, as in HeadersToInclude; got %q)", k, v, got)))
			return
		}
	}
	if x.r.ContentLength < 0 {
		x.fail(newAPIError("MissingContentLength", "You must provide the Content-Length HTTP header."))
		return
	}
	if x.r.ContentLength != size {
		x.fail(newAPIError("SignatureDoesNotMatch", fmt.Sprintf("The request signature we calculated does not match the signature you provided (participanttest: Content-Length is %d, AttachmentSizeInBytes was %d)", x.r.ContentLength, size)))
		return
	}
	data, err := io.ReadAll(io.LimitReader(x.r.Body, size+1))
	if err != nil || int64(len(data)) != size {
		x.fail(newAPIError("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header"))
		return
	}
	s.mu.Lock()
	if a.completed {
		s.mu.Unlock()
		x.fail(newAPIError("AccessDenied", "participanttest: the attachment upload is already complete"))
		return
	}
	a.data, a.uploaded = data, true
	s.mu.Unlock()
	sum := md5.Sum(data)
	x.w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	x.w.Header().Set("Content-Length", "0")
	x.status = http.StatusOK
	x.w.WriteHeader(http.StatusOK)
}

// downloadFile is the download URL of GetAttachment.
func (s *Server) downloadFile(x *exchange) {
	s.mu.Lock()
	a, e := s.lookupFile(x, false)
	var data []byte
	var ct, name string
	if e == nil {
		data, ct, name = a.data, a.contentType, a.name
	}
	s.mu.Unlock()
	if e != nil {
		x.fail(e)
		return
	}
	h := x.w.Header()
	h.Set("Content-Type", ct)
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": name}); d != "" {
		h.Set("Content-Disposition", d)
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	sum := md5.Sum(data)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	x.status = http.StatusOK
	x.w.WriteHeader(http.StatusOK)
	_, _ = x.w.Write(data)
}

var completeAttachmentUploadOp = jsonOp[completeUploadIn]{
	check: func(v *checks, in *completeUploadIn) {
		switch {
		case in.AttachmentIDs == nil:
			v.null("attachmentIds")
		case len(in.AttachmentIDs) < 1:
			v.add("attachmentIds", "Member must have length greater than or equal to 1")
		case len(in.AttachmentIDs) > 1:
			v.add("attachmentIds", "Member must have length less than or equal to 1")
		}
		for i, id := range in.AttachmentIDs {
			v.length(fmt.Sprintf("attachmentIds.%d.member", i+1), id, 1, 256)
		}
		v.required("clientToken", in.ClientToken, 1, 500)
	},
	run: func(c *call, in *completeUploadIn) (any, *apiError) {
		s, m := c.s, c.m
		a := s.files[in.AttachmentIDs[0]]
		switch {
		case a == nil || a.c != m.c:
			return nil, validation("participanttest: unknown AttachmentId")
		case a.completed:
			return nil, newAPIError("ConflictException", "An attachment with that identifier is already being uploaded (participanttest: CompleteAttachmentUpload was already called for it)")
		case !a.uploaded:
			return nil, validation("participanttest: nothing has been uploaded to the attachment's upload URL")
		}
		a.completed = true
		s.emit(m.c, &Item{
			Type: TypeAttachment, ContentType: a.contentType,
			ParticipantID: a.owner.id, DisplayName: a.owner.name, ParticipantRole: a.owner.role,
			Attachments: []AttachmentItem{{ContentType: a.contentType, AttachmentID: a.id, AttachmentName: a.name, Status: "APPROVED"}},
		}, true, nil)
		return struct{}{}, nil
	},
}

var getAttachmentOp = jsonOp[getAttachmentIn]{
	check: func(v *checks, in *getAttachmentIn) {
		v.required("attachmentId", in.AttachmentID, 1, 256)
		if in.URLExpiryInSeconds != nil {
			v.rangeOf("urlExpiryInSeconds", int64(*in.URLExpiryInSeconds), 5, 300)
		}
	},
	run: func(c *call, in *getAttachmentIn) (any, *apiError) {
		s, m := c.s, c.m
		a := s.files[in.AttachmentID]
		switch {
		case a == nil || !m.c.chain(a.c):
			return nil, validation("participanttest: unknown AttachmentId")
		case !a.completed:
			return nil, validation("participanttest: the attachment's upload has not been completed")
		case m.role == RoleCustomBot && a.owner.role == RoleCustomer:
			return nil, accessDenied(reasonNotAllowed, "a CUSTOM_BOT participant cannot read a customer's attachments")
		}
		life := s.cfg.life.DownloadURL
		if in.URLExpiryInSeconds != nil {
			life = time.Duration(*in.URLExpiryInSeconds) * time.Second
		}
		u, exp := s.fileURL(a, false, life, httpBase(c.x.r))
		return getAttachmentOut{URL: u, URLExpiry: formatTime(exp), AttachmentSizeInBytes: a.size}, nil
	},
}
