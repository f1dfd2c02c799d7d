; Weak hash tables (ephemerons): an entry lives exactly as long as its key
; is reachable from outside the table; a value that refers to its own key
; does not keep the entry alive.
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define w (make-weak-hash-table))
(define kept (map (lambda (i) (list 'kept i)) (iota 10)))
(for-each (lambda (k) (hash-table-set! w k (cadr k))) kept)
; 1,000 entries whose keys are dropped at once; half of their values point
; back at their own key.
(define (add-garbage n)
  (when (> n 0)
    (let ((k (list 'tmp n)))
      (hash-table-set! w k (if (even? n) (list 'value-of k) n)))
    (add-garbage (- n 1))))
(add-garbage 1000)
(hash-table-set! w 7 'immediate-key) ; immediates never die
(show (<= 11 (hash-table-count w) 1011))
; Allocate in between so that no stale stack word still names a dropped key
; (the collector scans the C stack conservatively).
(define (churn n) (if (> n 0) (begin (make-vector 10 n) (churn (- n 1)))))
(churn 5000)
(gc)
(churn 5000)
(gc)
(define remaining (hash-table-count w))
; Every kept key and the immediate key survive; nearly all garbage is gone.
(show (<= 11 remaining) (< remaining 60))
(show (fold-left (lambda (ok k) (and ok (eqv? (hash-table-ref w k) (cadr k)))) #t kept))
(show (hash-table-ref w 7))
; Overwriting an entry keeps one entry per key.
(hash-table-set! w (car kept) 'again)
(show (hash-table-ref w (car kept)) (<= 11 (hash-table-count w) remaining))
