package io.rtcdp.udf.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A rule condition evaluated directly over the facts, for the common subset of CEL that rule sets
 * use: literals, the rule variables, field selection and {@code has()}, {@code !}, {@code &&},
 * {@code ||}, {@code ?:}, comparisons, {@code in}, indexing, {@code size}, list literals and the
 * {@code all}/{@code exists} macros. CEL's interpreter spends microseconds on a condition that
 * takes tens of nanoseconds this way, and the decision stage evaluates several per profile update.
 *
 * <p>CEL stays the definition: a condition is compiled here only from its type-checked syntax tree,
 * with CEL's semantics (errors absorbed by {@code &&} and {@code ||} when the other side decides,
 * an absent field an error, numbers of both kinds compared by value), and wherever this evaluator
 * is not certain to give CEL's answer it gives up ({@link #FALLBACK}) and the caller asks CEL: NaN,
 * -0.0, int and double comparisons beyond 2^53, strings with surrogate pairs, types it does not
 * know. {@code FastConditionTest} compares it with CEL over random facts and random conditions.
 */
final class FastCondition {
    /** {@link #test} result: CEL must evaluate this condition for these facts. */
    static final int FALLBACK = 2;

    private static final Object ERROR = new Object();
    private static final Object GIVE_UP = new Object();
    private static final long EXACT_DOUBLE = 1L << 53;

    private final Node root;
    private final int locals;
    private final boolean readsEvent;

    private FastCondition(Node root, int locals, boolean readsEvent) {
        this.root = root;
        this.locals = locals;
        this.readsEvent = readsEvent;
    }

    /** The evaluator of a checked condition, or null where it uses what this one does not know. */
    static FastCondition compile(CelAbstractSyntaxTree ast) {
        Compiler c = new Compiler(ast);
        Node root = c.node(ast.getExpr());
        return root == null ? null : new FastCondition(root, c.slots.size(), c.readsEvent);
    }

    /** 1 true, 0 false, -1 error (as CEL), or {@link #FALLBACK}. */
    int test(RuleFacts facts, List<String> tags, List<String> segments, Map<String, Object> event) {
        Env env = new Env(facts, tags, segments, event, locals);
        Object r = root.eval(env);
        if (r == GIVE_UP) {
            return FALLBACK;
        }
        if (r == ERROR) {
            return -1;
        }
        if (r instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return FALLBACK;
    }

    /** The variables of one evaluation. */
    private static final class Env {
        final RuleFacts facts;
        final List<String> tags;
        final List<String> segments;
        final Map<String, Object> event;
        final Object[] locals;

        Env(
                RuleFacts facts,
                List<String> tags,
                List<String> segments,
                Map<String, Object> event,
                int locals) {
            this.facts = facts;
            this.tags = tags;
            this.segments = segments;
            this.event = event;
            this.locals = locals == 0 ? null : new Object[locals];
        }
    }

    @FunctionalInterface
    private interface Node {
        Object eval(Env env);
    }

    private static final class Compiler {
        private final CelAbstractSyntaxTree ast;

        /** Comprehension variables in scope, innermost last: name and slot. */
        private final List<String> scope = new ArrayList<>();

        private final List<Integer> scopeSlots = new ArrayList<>();
        final List<String> slots = new ArrayList<>();
        boolean readsEvent;

        Compiler(CelAbstractSyntaxTree ast) {
            this.ast = ast;
        }

        Node node(CelExpr e) {
            if (!isTyped(e)) {
                return null;
            }
            return switch (e.getKind()) {
                case CONSTANT -> constant(e.constant());
                case IDENT -> ident(e.ident().name());
                case SELECT -> select(e.select());
                case CALL -> call(e.call());
                case LIST -> list(e.list());
                case COMPREHENSION -> comprehension(e.comprehension());
                default -> null;
            };
        }

        /**
         * Whether the checker typed this node. Values of type dyn (event props) are taken as they
         * come: every operation here checks the Java types it is given.
         */
        private boolean isTyped(CelExpr e) {
            CelType t = ast.getType(e.id()).orElse(null);
            return t != null && t.kind() != CelKind.ERROR;
        }

        private static Node constant(CelConstant c) {
            Object v =
                    switch (c.getKind()) {
                        case BOOLEAN_VALUE -> c.booleanValue();
                        case INT64_VALUE -> c.int64Value();
                        case DOUBLE_VALUE -> c.doubleValue();
                        case STRING_VALUE -> c.stringValue();
                        default -> null;
                    };
            return v == null ? null : env -> v;
        }

        private Node ident(String name) {
            for (int i = scope.size() - 1; i >= 0; i--) {
                if (scope.get(i).equals(name)) {
                    int slot = scopeSlots.get(i);
                    return env -> env.locals[slot];
                }
            }
            return switch (name) {
                case "f" -> env -> env.facts.features;
                case "score" -> env -> env.facts.scores;
                case "rfm" -> env -> env.facts.rfm;
                case "lifecycle" -> env -> env.facts.lifecycle;
                case "traits" -> env -> env.facts.traits;
                case "consent" -> env -> env.facts.consent;
                case "tags" -> env -> env.tags;
                case "segments" -> env -> env.segments;
                case "event" -> {
                    readsEvent = true;
                    yield env -> env.event;
                }
                default -> null;
            };
        }

        private Node select(CelExpr.CelSelect s) {
            Node operand = node(s.operand());
            if (operand == null) {
                return null;
            }
            String field = s.field();
            if (s.testOnly()) {
                return env -> {
                    Object o = operand.eval(env);
                    if (o == GIVE_UP || o == ERROR) {
                        return o;
                    }
                    return o instanceof Map<?, ?> m ? (Object) m.containsKey(field) : GIVE_UP;
                };
            }
            return env -> {
                Object o = operand.eval(env);
                if (o == GIVE_UP || o == ERROR) {
                    return o;
                }
                if (!(o instanceof Map<?, ?> m)) {
                    return GIVE_UP;
                }
                Object v = m.get(field);
                return v == null ? ERROR : v;
            };
        }

        private Node list(CelExpr.CelList l) {
            if (!l.optionalIndices().isEmpty()) {
                return null;
            }
            Node[] elements = nodes(l.elements());
            if (elements == null) {
                return null;
            }
            return env -> {
                List<Object> out = new ArrayList<>(elements.length);
                Object failed = null;
                for (Node n : elements) {
                    Object v = n.eval(env);
                    if (v == GIVE_UP) {
                        return GIVE_UP;
                    }
                    if (v == ERROR) {
                        failed = ERROR;
                    }
                    out.add(v);
                }
                return failed != null ? failed : out;
            };
        }

        private Node comprehension(CelExpr.CelComprehension c) {
            if (!c.iterVar2().isEmpty()) {
                return null;
            }
            Node range = node(c.iterRange());
            Node init = node(c.accuInit());
            if (range == null || init == null) {
                return null;
            }
            int iterSlot = slots.size();
            slots.add(c.iterVar());
            int accuSlot = slots.size();
            slots.add(c.accuVar());
            scope.add(c.accuVar());
            scopeSlots.add(accuSlot);
            Node result = node(c.result());
            scope.add(c.iterVar());
            scopeSlots.add(iterSlot);
            Node condition = node(c.loopCondition());
            Node step = node(c.loopStep());
            scope.remove(scope.size() - 1);
            scopeSlots.remove(scopeSlots.size() - 1);
            scope.remove(scope.size() - 1);
            scopeSlots.remove(scopeSlots.size() - 1);
            if (result == null || condition == null || step == null) {
                return null;
            }
            return env -> {
                Object r = range.eval(env);
                if (r == GIVE_UP || r == ERROR) {
                    return r;
                }
                Collection<?> items;
                if (r instanceof List<?> l) {
                    items = l;
                } else if (r instanceof Map<?, ?> m) {
                    items = m.keySet();
                } else {
                    return GIVE_UP;
                }
                if (items.size() > CompiledRules.MAX_ITERATIONS) {
                    return GIVE_UP;
                }
                Object accu = init.eval(env);
                if (accu == GIVE_UP) {
                    return GIVE_UP;
                }
                env.locals[accuSlot] = accu;
                for (Object item : items) {
                    env.locals[iterSlot] = item;
                    Object go = condition.eval(env);
                    if (go == GIVE_UP || !(go instanceof Boolean)) {
                        return GIVE_UP;
                    }
                    if (!(Boolean) go) {
                        break;
                    }
                    accu = step.eval(env);
                    if (accu == GIVE_UP) {
                        return GIVE_UP;
                    }
                    env.locals[accuSlot] = accu;
                }
                return result.eval(env);
            };
        }

        private Node[] nodes(List<CelExpr> exprs) {
            Node[] out = new Node[exprs.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = node(exprs.get(i));
                if (out[i] == null) {
                    return null;
                }
            }
            return out;
        }

        private Node call(CelExpr.CelCall call) {
            List<CelExpr> argExprs = new ArrayList<>();
            call.target().ifPresent(argExprs::add);
            argExprs.addAll(call.args());
            Node[] a = nodes(argExprs);
            if (a == null) {
                return null;
            }
            String fn = call.function();
            if (a.length == 1) {
                Node x = a[0];
                return switch (fn) {
                    case "!_" -> env -> not(x.eval(env));
                    case "-_" -> env -> negate(x.eval(env));
                    case "@not_strictly_false" -> env -> notStrictlyFalse(x.eval(env));
                    case "size" -> env -> size(x.eval(env));
                    default -> null;
                };
            }
            if (a.length == 3 && fn.equals("_?_:_")) {
                Node cond = a[0];
                Node yes = a[1];
                Node no = a[2];
                return env -> {
                    Object c = cond.eval(env);
                    if (c instanceof Boolean b) {
                        return b ? yes.eval(env) : no.eval(env);
                    }
                    return c == ERROR ? ERROR : GIVE_UP;
                };
            }
            if (a.length != 2) {
                return null;
            }
            Node x = a[0];
            Node y = a[1];
            return switch (fn) {
                case "_&&_" -> env -> logical(x, y, false, env);
                case "_||_" -> env -> logical(x, y, true, env);
                case "_==_" -> env -> strict(x.eval(env), y.eval(env), FastCondition::equal);
                case "_!=_" -> env -> not(strict(x.eval(env), y.eval(env), FastCondition::equal));
                case "_<_" -> env -> strict(x.eval(env), y.eval(env), (p, q) -> less(p, q, 0));
                case "_<=_" -> env -> strict(x.eval(env), y.eval(env), (p, q) -> less(p, q, 1));
                case "_>_" -> env -> strict(y.eval(env), x.eval(env), (p, q) -> less(p, q, 0));
                case "_>=_" -> env -> strict(y.eval(env), x.eval(env), (p, q) -> less(p, q, 1));
                case "@in" -> env -> strict(x.eval(env), y.eval(env), FastCondition::in);
                case "_[_]" -> env -> strict(x.eval(env), y.eval(env), FastCondition::index);
                default -> null;
            };
        }
    }

    @FunctionalInterface
    private interface Binary {
        Object apply(Object x, Object y);
    }

    private static Object strict(Object x, Object y, Binary f) {
        if (x == GIVE_UP || y == GIVE_UP) {
            return GIVE_UP;
        }
        if (x == ERROR || y == ERROR) {
            return ERROR;
        }
        return f.apply(x, y);
    }

    /**
     * CEL's {@code &&} ({@code decisive} false) and {@code ||} ({@code decisive} true): either side
     * with the decisive value decides, even if the other fails; otherwise an error on either side
     * is the result.
     */
    private static Object logical(Node x, Node y, boolean decisive, Env env) {
        Object a = x.eval(env);
        if (a == GIVE_UP) {
            return GIVE_UP;
        }
        if (a instanceof Boolean v && v == decisive) {
            return decisive;
        }
        Object b = y.eval(env);
        if (b == GIVE_UP) {
            return GIVE_UP;
        }
        if (b instanceof Boolean v && v == decisive) {
            return decisive;
        }
        if (a == ERROR || b == ERROR) {
            return ERROR;
        }
        return a instanceof Boolean && b instanceof Boolean ? (Object) !decisive : GIVE_UP;
    }

    private static Object not(Object x) {
        if (x instanceof Boolean b) {
            return !b;
        }
        return x == ERROR ? ERROR : GIVE_UP;
    }

    private static Object notStrictlyFalse(Object x) {
        if (x instanceof Boolean) {
            return x;
        }
        return x == ERROR ? (Object) true : GIVE_UP;
    }

    private static Object negate(Object x) {
        if (x instanceof Long l) {
            return l == Long.MIN_VALUE ? GIVE_UP : (Object) (-l);
        }
        if (x instanceof Double d) {
            return -d;
        }
        return x == ERROR ? ERROR : GIVE_UP;
    }

    private static Object size(Object x) {
        if (x instanceof Collection<?> c) {
            return (long) c.size();
        }
        if (x instanceof Map<?, ?> m) {
            return (long) m.size();
        }
        if (x instanceof String s) {
            return (long) s.codePointCount(0, s.length());
        }
        return x == ERROR ? ERROR : GIVE_UP;
    }

    /** CEL equality of two values of the kinds the facts hold, or {@link #GIVE_UP}. */
    private static Object equal(Object x, Object y) {
        if (x instanceof String s && y instanceof String t) {
            return s.equals(t);
        }
        if (x instanceof Boolean && y instanceof Boolean) {
            return x.equals(y);
        }
        int c = compareNumbers(x, y);
        return c == Integer.MIN_VALUE ? GIVE_UP : (Object) (c == 0);
    }

    /** {@code x < y} (orEqual 0) or {@code x <= y} (orEqual 1). */
    private static Object less(Object x, Object y, int orEqual) {
        int c;
        if (x instanceof String s && y instanceof String t) {
            if (hasSurrogate(s) || hasSurrogate(t)) {
                return GIVE_UP;
            }
            c = Integer.signum(s.compareTo(t));
        } else {
            c = compareNumbers(x, y);
            if (c == Integer.MIN_VALUE) {
                return GIVE_UP;
            }
        }
        return c < orEqual;
    }

    /**
     * -1, 0 or 1 comparing two numbers (long or double, mixed by exact value), or {@code
     * Integer.MIN_VALUE} where the answer is not certain here (NaN, a long beyond 2^53 against a
     * double, not numbers).
     */
    private static int compareNumbers(Object x, Object y) {
        if (x instanceof Long a && y instanceof Long b) {
            return Long.compare(a, b);
        }
        double a;
        double b;
        if (x instanceof Double d) {
            a = d;
        } else if (x instanceof Long l && Math.abs(l) <= EXACT_DOUBLE) {
            a = l;
        } else {
            return Integer.MIN_VALUE;
        }
        if (y instanceof Double d) {
            b = d;
        } else if (y instanceof Long l && Math.abs(l) <= EXACT_DOUBLE) {
            b = l;
        } else {
            return Integer.MIN_VALUE;
        }
        if (Double.isNaN(a) || Double.isNaN(b) || isNegativeZero(a) || isNegativeZero(b)) {
            // CEL's Java runtime orders -0.0 below 0 (Double.compare) in some comparisons
            return Integer.MIN_VALUE;
        }
        return a < b ? -1 : a > b ? 1 : 0;
    }

    private static boolean isNegativeZero(double d) {
        return d == 0 && Double.doubleToRawLongBits(d) != 0;
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static Object in(Object x, Object container) {
        if (container instanceof List<?> l) {
            for (Object e : l) {
                Object eq = equal(x, e);
                if (eq == GIVE_UP) {
                    return GIVE_UP;
                }
                if ((Boolean) eq) {
                    return true;
                }
            }
            return false;
        }
        if (container instanceof Map<?, ?> m && x instanceof String) {
            return m.containsKey(x);
        }
        return GIVE_UP;
    }

    private static Object index(Object container, Object key) {
        if (container instanceof Map<?, ?> m && key instanceof String) {
            Object v = m.get(key);
            return v == null ? ERROR : v;
        }
        if (container instanceof List<?> l && key instanceof Long i) {
            return i >= 0 && i < l.size() ? l.get((int) (long) i) : ERROR;
        }
        return GIVE_UP;
    }
}
