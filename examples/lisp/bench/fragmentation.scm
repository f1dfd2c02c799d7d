; Fragmentation: fill the heap with objects of mixed sizes, drop a random
; 80 % of them, then allocate a different size mix for several rounds
; while the survivors stay live.  Without compaction the survivors pin
; their (mostly empty) blocks; with it they are evacuated together.
(random-seed! 12345)
(define slots 250000)
(define live (make-vector slots #f))

(define (make-object kind)
  (case kind
    ((0) (make-vector (+ 1 (random 6)) kind))          ; small vectors
    ((1) (make-string (+ 8 (random 120)) #\x))          ; strings
    ((2) (list kind kind kind))                         ; pairs
    (else (make-vector (+ 16 (random 48)) kind))))      ; medium vectors

(define (fill! kinds)
  (do ((i 0 (+ i 1))) ((= i slots))
    (unless (vector-ref live i)
      (vector-set! live i (make-object (random kinds))))))

(define (drop! percent)
  (do ((i 0 (+ i 1))) ((= i slots))
    (when (< (random 100) percent) (vector-set! live i #f))))

(define (weight obj)
  (cond ((vector? obj) (vector-length obj))
        ((string? obj) (string-length obj))
        ((pair? obj) (length obj))
        (else 0)))

(define (total)
  (let loop ((i 0) (sum 0))
    (if (= i slots) sum
        (loop (+ i 1) (let ((o (vector-ref live i))) (if o (+ sum (weight o)) sum))))))

(fill! 4)
(drop! 80)
(gc)
(do ((round 0 (+ round 1))) ((= round 6))
  ; short-lived garbage of a different shape between the rounds
  (do ((j 0 (+ j 1))) ((= j 40000)) (make-vector (+ 2 (random 30)) j))
  (fill! 3)
  (drop! 80)
  (gc))
(display "live weight: ") (display (total)) (newline)
