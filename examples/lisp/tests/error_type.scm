; Primitive type and arity errors name the primitive and the culprit.
(display (car '(1))) (newline)
(car 5)
