; binary-trees (the Benchmarks Game shape): many short-lived trees of
; increasing depth while one long-lived tree stays alive.  Mostly
; allocation and collection throughput of small precise objects.
(define max-depth 15)
(define min-depth 4)

(define (make-tree d)
  (if (= d 0) (cons '() '()) (cons (make-tree (- d 1)) (make-tree (- d 1)))))
(define (check tree)
  (if (null? (car tree)) 1 (+ 1 (check (car tree)) (check (cdr tree)))))

(display "stretch tree of depth ") (display (+ max-depth 1))
(display " check: ") (display (check (make-tree (+ max-depth 1)))) (newline)
(define long-lived (make-tree max-depth))
(let loop ((d min-depth))
  (when (<= d max-depth)
    (let ((iterations (expt 2 (+ (- max-depth d) min-depth))))
      (let inner ((i 0) (sum 0))
        (if (< i iterations)
            (inner (+ i 1) (+ sum (check (make-tree d))))
            (begin (display iterations) (display " trees of depth ") (display d)
                   (display " check: ") (display sum) (newline)))))
    (loop (+ d 2))))
(display "long lived tree of depth ") (display max-depth)
(display " check: ") (display (check long-lived)) (newline)
