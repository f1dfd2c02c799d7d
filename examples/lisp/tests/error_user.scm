; (error ...) stops the script: output before it is kept, the message and
; irritants go to stderr, and the exit status is 1.
(display "before") (newline)
(define (check-positive n)
  (if (< n 0) (error "negative number:" n 'in (list 1 "two")) n))
(display (check-positive 5)) (newline)
(check-positive -3)
(display "never printed") (newline)
