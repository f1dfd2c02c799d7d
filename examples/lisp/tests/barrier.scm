; Write-barrier workout: objects are shuffled between two long-lived
; vectors (and between the cars of long-lived pairs) while garbage keeps
; the collector busy.  Under incremental marking an object moved from a
; not-yet-scanned container into an already-scanned one survives only if
; every store went through the barrier; under compaction every slot must
; follow the moves.  At the end every object must still be intact and
; each id must appear exactly once.
(random-seed! 99)
(define n 1500)
(define (make-item id) (list id (number->string id) (make-vector 3 id)))
(define (item-ok? x)
  (let ((id (car x)))
    (and (string=? (cadr x) (number->string id))
         (equal? (caddr x) (make-vector 3 id)))))
(define a (make-vector n #f))
(define b (make-vector n #f))
(do ((i 0 (+ i 1))) ((= i n))
  (vector-set! a i (make-item i))
  (vector-set! b i (make-item (+ n i))))
(define cells (map (lambda (i) (cons #f i)) (iota 50)))
(define (swap! round)
  (let* ((i (random n)) (j (random n)) (tmp (vector-ref a i)))
    (vector-set! a i (vector-ref b j))
    (vector-set! b j tmp)
    ; park an item in a pair's car for a while, then put it back
    (let ((cell (list-ref cells (random 50))))
      (if (car cell)
          (let ((k (random n)) (parked (car cell)))
            (set-car! cell (vector-ref a k))
            (vector-set! a k parked))))
    (when (= 0 (modulo round 7)) (make-vector 40 round))
    (when (= 0 (modulo round 11)) (string-append "garbage-" (number->string round)))))
; start with a few items parked
(for-each (lambda (cell)
            (let ((k (random n)))
              (set-car! cell (vector-ref b k))
              (vector-set! b k (make-item (+ n n (cdr cell))))))
          cells)
(do ((r 0 (+ r 1))) ((= r 40000)) (swap! r))
(gc)
(define seen (make-hash-table 'eqv))
(define ok #t)
(define (visit! x)
  (if (item-ok? x)
      (hash-table-set! seen (car x) (+ 1 (hash-table-ref/default seen (car x) 0)))
      (set! ok #f)))
(vector-for-each visit! a)
(vector-for-each visit! b)
(for-each (lambda (cell) (visit! (car cell))) cells)
(display (list 'intact ok 'distinct (hash-table-count seen)
               'all-once (fold-left (lambda (acc p) (and acc (= (cdr p) 1))) #t
                                    (hash-table->alist seen))))
(newline)
