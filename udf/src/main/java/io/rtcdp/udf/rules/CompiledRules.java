package io.rtcdp.udf.rules;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import io.rtcdp.udf.rules.RuleSchema.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A rule set whose conditions are parsed, type-checked against {@link RuleSchema} and planned for
 * evaluation with CEL. Immutable and thread-safe; compile once per rule set version.
 *
 * <p>Evaluation cost is bounded: a condition has at most {@link #MAX_EXPRESSION_CHARS} characters,
 * {@link #MAX_NODES} syntax nodes and {@link #MAX_DEPTH} levels of nesting; macros ({@code all},
 * {@code exists}, {@code exists_one}, {@code map}, {@code filter}) may not be nested and run at
 * most {@link #MAX_ITERATIONS} iterations each (more is an evaluation error, taken as false). CEL
 * has no other loops and no side effects.
 */
public final class CompiledRules {
    public static final int MAX_EXPRESSION_CHARS = 2000;
    public static final int MAX_NODES = 400;
    public static final int MAX_DEPTH = 40;
    public static final int MAX_ITERATIONS = 1000;

    private static final CelOptions OPTIONS =
            CelOptions.current()
                    .enableHeterogeneousNumericComparisons(true)
                    .maxExpressionCodePointSize(MAX_EXPRESSION_CHARS)
                    .maxParseExpressionNodeCount(MAX_NODES)
                    .maxParseRecursionDepth(MAX_DEPTH)
                    .comprehensionMaxIterations(MAX_ITERATIONS)
                    .maxRegexProgramSize(200)
                    .build();

    private static final StructType F = struct("rtcdp.Features", RuleSchema.FEATURES);
    private static final StructType SCORE = struct("rtcdp.Scores", RuleSchema.SCORES);
    private static final StructType RFM = struct("rtcdp.Rfm", RuleSchema.RFM);
    private static final StructType TEXT =
            StructType.create(
                    "rtcdp.Text",
                    ImmutableSet.of("intent", "intent_score", "sentiment", "sentiment_score"),
                    n ->
                            switch (n) {
                                case "intent", "sentiment" -> Optional.of(SimpleType.STRING);
                                case "intent_score", "sentiment_score" ->
                                        Optional.of(SimpleType.DOUBLE);
                                default -> Optional.empty();
                            });
    private static final StructType EVENT =
            StructType.create(
                    "rtcdp.Event",
                    ImmutableSet.of("name", "channel", "props", "text"),
                    n ->
                            switch (n) {
                                case "name", "channel" -> Optional.of(SimpleType.STRING);
                                case "props" ->
                                        Optional.of(
                                                MapType.create(SimpleType.STRING, SimpleType.DYN));
                                case "text" -> Optional.of(TEXT);
                                default -> Optional.empty();
                            });

    private static final CelTypeProvider TYPES =
            new CelTypeProvider() {
                private final ImmutableList<CelType> all =
                        ImmutableList.of(F, SCORE, RFM, TEXT, EVENT);

                @Override
                public ImmutableCollection<CelType> types() {
                    return all;
                }

                @Override
                public Optional<CelType> findType(String name) {
                    return all.stream().filter(t -> t.name().equals(name)).findFirst();
                }
            };

    private static final CelCompiler TAG_ENV = compiler(false, false, false);
    private static final CelCompiler SEGMENT_ENV = compiler(true, false, false);
    private static final CelCompiler TRIGGER_ENV = compiler(true, true, true);
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private final RuleSet ruleSet;
    private final CelRuntime.Program[] tagPrograms;
    private final CelRuntime.Program[] segmentPrograms;
    private final CelRuntime.Program[] triggerPrograms;

    /** Per condition, its direct evaluator ({@link FastCondition}), or null: CEL evaluates it. */
    private final FastCondition[] tagFast;

    private final FastCondition[] segmentFast;
    private final FastCondition[] triggerFast;
    private final boolean[] eventDriven;
    private final String[] tagNames;
    private final String[] segmentNames;
    private final boolean readsProps;
    private final RuleInputs[] tagReads;
    private final RuleInputs[] segmentReads;

    /**
     * Per trigger: the event name its condition requires (a conjunct {@code event.name == 'x'} of
     * its top-level {@code &&}), or null.
     */
    private final String[] eventNames;

    /** The trigger rules' names, for the contact states kept per rule. */
    private final java.util.Set<String> triggerNames;

    private CompiledRules(
            RuleSet ruleSet,
            CelRuntime.Program[] tags,
            CelRuntime.Program[] segments,
            CelRuntime.Program[] triggers,
            FastCondition[][] fast,
            boolean[] eventDriven,
            boolean readsProps,
            RuleInputs[] tagReads,
            RuleInputs[] segmentReads,
            String[] eventNames) {
        this.eventNames = eventNames;
        this.tagFast = fast[0];
        this.segmentFast = fast[1];
        this.triggerFast = fast[2];
        this.readsProps = readsProps;
        this.tagReads = tagReads;
        this.segmentReads = segmentReads;
        this.ruleSet = ruleSet;
        this.tagPrograms = tags;
        this.segmentPrograms = segments;
        this.triggerPrograms = triggers;
        this.eventDriven = eventDriven;
        this.tagNames = ruleSet.tags().stream().map(RuleSet.Condition::name).toArray(String[]::new);
        this.segmentNames =
                ruleSet.segments().stream().map(RuleSet.Condition::name).toArray(String[]::new);
        this.triggerNames =
                java.util.Set.copyOf(
                        ruleSet.triggers().stream().map(RuleSet.TriggerRule::name).toList());
    }

    /**
     * The same rule set with every condition evaluated by CEL's interpreter, none directly ({@link
     * FastCondition}): what the direct evaluation is measured against (RulesBench).
     */
    public CompiledRules celOnly() {
        FastCondition[][] none = {
            new FastCondition[tagFast.length],
            new FastCondition[segmentFast.length],
            new FastCondition[triggerFast.length]
        };
        return new CompiledRules(
                ruleSet,
                tagPrograms,
                segmentPrograms,
                triggerPrograms,
                none,
                eventDriven,
                readsProps,
                tagReads,
                segmentReads,
                eventNames);
    }

    /** Parses and compiles in one step. */
    public static CompiledRules compile(String text) throws RuleSetException {
        return compile(RuleSet.parse(text));
    }

    /**
     * Compiles and type-checks every condition.
     *
     * @throws RuleSetException listing every condition that does not compile, with its rule
     */
    public static CompiledRules compile(RuleSet rs) throws RuleSetException {
        List<String> problems = new ArrayList<>();
        CelRuntime.Program[] tags = new CelRuntime.Program[rs.tags().size()];
        FastCondition[][] fast = {
            new FastCondition[rs.tags().size()],
            new FastCondition[rs.segments().size()],
            new FastCondition[rs.triggers().size()]
        };
        RuleInputs[] tagReads = new RuleInputs[tags.length];
        for (int i = 0; i < tags.length; i++) {
            RuleSet.Condition c = rs.tags().get(i);
            CelAbstractSyntaxTree ast = check(TAG_ENV, "tag", c.name(), c.when(), problems);
            TraitReads.check(ast, rs.traits(), "tag '" + c.name() + "': ", problems);
            tags[i] = ast == null ? null : program(ast, "tag", c.name(), problems);
            fast[0][i] = ast == null ? null : FastCondition.compile(ast);
            tagReads[i] = ast == null ? RuleInputs.ALL : RuleInputs.readBy(ast);
        }
        CelRuntime.Program[] segments = new CelRuntime.Program[rs.segments().size()];
        RuleInputs[] segmentReads = new RuleInputs[segments.length];
        for (int i = 0; i < segments.length; i++) {
            RuleSet.Condition c = rs.segments().get(i);
            CelAbstractSyntaxTree ast = check(SEGMENT_ENV, "segment", c.name(), c.when(), problems);
            TraitReads.check(ast, rs.traits(), "segment '" + c.name() + "': ", problems);
            segments[i] = ast == null ? null : program(ast, "segment", c.name(), problems);
            fast[1][i] = ast == null ? null : FastCondition.compile(ast);
            segmentReads[i] = ast == null ? RuleInputs.ALL : RuleInputs.readBy(ast);
        }
        CelRuntime.Program[] triggers = new CelRuntime.Program[rs.triggers().size()];
        boolean[] eventDriven = new boolean[triggers.length];
        boolean readsProps = false;
        String[] eventNames = new String[triggers.length];
        for (int i = 0; i < triggers.length; i++) {
            RuleSet.TriggerRule t = rs.triggers().get(i);
            CelAbstractSyntaxTree ast = check(TRIGGER_ENV, "trigger", t.name(), t.when(), problems);
            TraitReads.check(ast, rs.traits(), "trigger '" + t.name() + "': ", problems);
            if (ast != null) {
                triggers[i] = program(ast, "trigger", t.name(), problems);
                fast[2][i] = FastCondition.compile(ast);
                eventDriven[i] =
                        ast.getReferenceMap().values().stream()
                                .anyMatch(r -> "event".equals(r.name()));
                readsProps |= eventDriven[i] && readsProps(ast);
                eventNames[i] = requiredEventName(ast.getExpr());
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleSetException(problems);
        }
        return new CompiledRules(
                rs,
                tags,
                segments,
                triggers,
                fast,
                eventDriven,
                readsProps,
                tagReads,
                segmentReads,
                eventNames);
    }

    /**
     * Whether a condition may read {@code event.props}: any use of {@code event} other than {@code
     * event.name}, {@code event.channel} or {@code event.text} (read or tested with {@code has})
     * (conservative: the event passed whole counts).
     */
    private static boolean readsProps(CelAbstractSyntaxTree ast) {
        return CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .filter(n -> n.getKind() == CelExpr.ExprKind.Kind.IDENT)
                .filter(n -> n.expr().ident().name().equals("event"))
                .anyMatch(n -> n.parent().filter(CompiledRules::readsOtherThanProps).isEmpty());
    }

    private static boolean readsOtherThanProps(CelNavigableExpr select) {
        if (select.getKind() != CelExpr.ExprKind.Kind.SELECT) {
            return false;
        }
        String field = select.expr().select().field();
        return field.equals("name") || field.equals("channel") || field.equals("text");
    }

    /**
     * The string a conjunct {@code event.name == 'x'} (or {@code 'x' == event.name}) of the
     * condition's top-level {@code &&} requires, or null when it has none. Where the event has
     * another name, that conjunct is false, and so is the condition (CEL's {@code &&} is false when
     * either side is, errors on the other side included): it need not be evaluated.
     */
    static String requiredEventName(CelExpr e) {
        if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
            return null;
        }
        List<CelExpr> args = e.call().args();
        switch (e.call().function()) {
            case "_&&_" -> {
                for (CelExpr a : args) {
                    String name = requiredEventName(a);
                    if (name != null) {
                        return name;
                    }
                }
                return null;
            }
            case "_==_" -> {
                if (args.size() != 2) {
                    return null;
                }
                if (isEventName(args.get(0)) && isString(args.get(1))) {
                    return args.get(1).constant().stringValue();
                }
                if (isEventName(args.get(1)) && isString(args.get(0))) {
                    return args.get(0).constant().stringValue();
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean isEventName(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.SELECT
                && !e.select().testOnly()
                && e.select().field().equals("name")
                && e.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT
                && e.select().operand().ident().name().equals("event");
    }

    private static boolean isString(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && e.constant().getKind() == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE;
    }

    /**
     * Whether a trigger may read {@code event.props}; when none does, the decision stage does not
     * parse an event's props for the rules.
     */
    public boolean readsEventProps() {
        return readsProps;
    }

    /** What tag {@code i}'s condition reads. */
    RuleInputs tagReads(int i) {
        return tagReads[i];
    }

    public RuleSet ruleSet() {
        return ruleSet;
    }

    /** The trait keys the rule set declares: the only ones kept for its tenant's profiles. */
    public Set<String> declaredTraits() {
        return ruleSet.traits();
    }

    public String tenant() {
        return ruleSet.tenant();
    }

    public long version() {
        return ruleSet.version();
    }

    /** The trigger rules in rule-set order; index {@code i} matches {@link #isEventDriven(int)}. */
    public List<RuleSet.TriggerRule> triggers() {
        return ruleSet.triggers();
    }

    /** The names of {@link #triggers()}, made once. */
    public java.util.Set<String> triggerNames() {
        return triggerNames;
    }

    /**
     * Whether trigger {@code i} reads {@code event}: it is then evaluated only with an event, and
     * fires on every event that satisfies it (no rising edge needed).
     */
    public boolean isEventDriven(int i) {
        return eventDriven[i];
    }

    /**
     * Evaluates every rule: tags first, then segments (which see the tags), then triggers (which
     * see both). Triggers that read {@code event} are false when {@code event} is null. A condition
     * whose evaluation fails (e.g. reads an absent feature) is false and counted in {@link
     * Evaluation#errors()}.
     */
    public Evaluation evaluate(RuleFacts facts, EventFacts event) {
        return evaluate(facts, event, RuleInputs.ALL, List.of(), List.of());
    }

    /**
     * As {@link #evaluate(RuleFacts, EventFacts)}, after an evaluation of the same profile with
     * this rule set that gave {@code previousTags} and {@code previousSegments}, since which only
     * the {@code changed} inputs changed: a tag or segment whose condition reads none of them keeps
     * the value it had, without being evaluated again (a condition that failed then is false now
     * too, but not counted again in {@link Evaluation#errors()}). Triggers are always evaluated.
     * With {@link RuleInputs#ALL}, every condition is evaluated.
     */
    public Evaluation evaluate(
            RuleFacts facts,
            EventFacts event,
            RuleInputs changed,
            List<String> previousTags,
            List<String> previousSegments) {
        Vars vars = new Vars(facts);
        int errors = 0;
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < tagPrograms.length; i++) {
            if (!changed.touches(tagReads[i])) {
                if (previousTags.contains(tagNames[i])) {
                    tags.add(tagNames[i]);
                }
                continue;
            }
            int r = test(tagFast[i], tagPrograms[i], vars);
            if (r > 0) {
                tags.add(tagNames[i]);
            } else if (r < 0) {
                errors++;
            }
        }
        tags.sort(null);
        vars.tags = tags;
        changed = changed.withTags(!tags.equals(previousTags));
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < segmentPrograms.length; i++) {
            if (!changed.touches(segmentReads[i])) {
                if (previousSegments.contains(segmentNames[i])) {
                    segments.add(segmentNames[i]);
                }
                continue;
            }
            int r = test(segmentFast[i], segmentPrograms[i], vars);
            if (r > 0) {
                segments.add(segmentNames[i]);
            } else if (r < 0) {
                errors++;
            }
        }
        segments.sort(null);
        vars.segments = segments;
        vars.event = event == null ? null : event.value();
        List<String> triggers = new ArrayList<>();
        for (int i = 0; i < triggerPrograms.length; i++) {
            if (eventDriven[i] && event == null) {
                continue;
            }
            if (eventNames[i] != null
                    && event != null
                    && event.value().get("name") instanceof String name
                    && !name.equals(eventNames[i])) {
                // a false conjunct makes the conjunction false, whatever the others give
                continue;
            }
            int r = test(triggerFast[i], triggerPrograms[i], vars);
            if (r > 0) {
                triggers.add(ruleSet.triggers().get(i).name());
            } else if (r < 0) {
                errors++;
            }
        }
        return new Evaluation(tags, segments, triggers, errors);
    }

    /** How many of the rule set's conditions have a direct evaluator (the others go to CEL). */
    int directConditions() {
        int n = 0;
        for (FastCondition[] kind : new FastCondition[][] {tagFast, segmentFast, triggerFast}) {
            for (FastCondition f : kind) {
                n += f != null ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * Trigger {@code i}'s condition by CEL alone ({@code direct} false) or by its direct evaluator
     * ({@link FastCondition#FALLBACK} where it has none or gives up): 1 true, 0 false, -1 error.
     * For tests, which hold the two to the same answers.
     */
    int testTrigger(
            int i,
            boolean direct,
            RuleFacts facts,
            List<String> tags,
            List<String> segments,
            EventFacts event) {
        Vars vars = new Vars(facts);
        vars.tags = tags;
        vars.segments = segments;
        vars.event = event == null ? null : event.value();
        if (!direct) {
            return test(triggerPrograms[i], vars);
        }
        FastCondition fast = triggerFast[i];
        return fast == null ? FastCondition.FALLBACK : fast.test(facts, tags, segments, vars.event);
    }

    /** 1 true, 0 false, -1 error: directly where it can, else by CEL. */
    private static int test(FastCondition fast, CelRuntime.Program p, Vars vars) {
        if (fast != null) {
            int r = fast.test(vars.facts, vars.tags, vars.segments, vars.event);
            if (r != FastCondition.FALLBACK) {
                return r;
            }
        }
        return test(p, vars);
    }

    /** 1 true, 0 false, -1 error, as CEL evaluates it. */
    static int test(CelRuntime.Program p, CelVariableResolver vars) {
        try {
            return Boolean.TRUE.equals(p.eval(vars)) ? 1 : 0;
        } catch (CelEvaluationException | RuntimeException e) {
            return -1;
        }
    }

    /** The variables of one evaluation, resolved without copying the facts' maps. */
    private static final class Vars implements CelVariableResolver {
        private final RuleFacts facts;
        List<String> tags = List.of();
        List<String> segments = List.of();
        Map<String, Object> event;

        Vars(RuleFacts facts) {
            this.facts = facts;
        }

        @Override
        public Optional<Object> find(String name) {
            Object v =
                    switch (name) {
                        case "f" -> facts.features;
                        case "score" -> facts.scores;
                        case "rfm" -> facts.rfm;
                        case "rec" -> facts.rec;
                        case "lifecycle" -> facts.lifecycle;
                        case "traits" -> facts.traits;
                        case "consent" -> facts.consent;
                        case "tags" -> tags;
                        case "segments" -> segments;
                        case "event" -> event;
                        default -> null;
                    };
            return Optional.ofNullable(v);
        }
    }

    private static CelAbstractSyntaxTree check(
            CelCompiler env, String kind, String name, String when, List<String> problems) {
        String where = kind + " '" + name + "': ";
        if (when.codePointCount(0, when.length()) > MAX_EXPRESSION_CHARS) {
            problems.add(
                    where + "condition is longer than " + MAX_EXPRESSION_CHARS + " characters");
            return null;
        }
        CelValidationResult res = env.compile(when);
        if (res.hasError()) {
            String msg = res.getErrorString().replace("<input>:", "at ");
            if (msg.contains("undeclared reference to 'event'")) {
                msg += "\n  (event can only be used in triggers)";
            } else if (msg.contains("undeclared reference to 'segments'")) {
                msg += "\n  (segments can only be used in triggers)";
            } else if (msg.contains("undeclared reference to 'tags'")) {
                msg += "\n  (tags can only be used in segments and triggers)";
            }
            problems.add(where + oneLine(msg));
            return null;
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = res.getAst();
        } catch (CelValidationException e) {
            problems.add(where + oneLine(e.getMessage()));
            return null;
        }
        CelNavigableAst nav = CelNavigableAst.fromAst(ast);
        boolean nested =
                nav.getRoot()
                        .allNodes()
                        .filter(n -> n.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION)
                        .anyMatch(CompiledRules::insideComprehension);
        if (nested) {
            problems.add(where + "macros (all, exists, exists_one, map, filter) cannot be nested");
            return null;
        }
        return ast;
    }

    private static boolean insideComprehension(CelNavigableExpr n) {
        for (Optional<CelNavigableExpr> p = n.parent(); p.isPresent(); p = p.get().parent()) {
            if (p.get().getKind() == CelExpr.ExprKind.Kind.COMPREHENSION) {
                return true;
            }
        }
        return false;
    }

    private static CelRuntime.Program program(
            CelAbstractSyntaxTree ast, String kind, String name, List<String> problems) {
        try {
            return RUNTIME.createProgram(ast);
        } catch (Exception e) {
            problems.add(kind + " '" + name + "': " + oneLine(String.valueOf(e.getMessage())));
            return null;
        }
    }

    /** CEL's messages span lines (message, source, caret); a problem is one line. */
    private static String oneLine(String msg) {
        return Arrays.stream(msg.strip().split("\n"))
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("|"))
                .map(l -> l.startsWith("ERROR: ") ? l.substring(7) : l)
                .reduce((a, b) -> a + "; " + b)
                .orElse(msg);
    }

    private static StructType struct(String name, Map<String, Kind> fields) {
        return StructType.create(
                name,
                ImmutableSet.copyOf(fields.keySet()),
                n -> Optional.ofNullable(fields.get(n)).map(CompiledRules::celType));
    }

    private static CelType celType(Kind k) {
        return switch (k) {
            case INT -> SimpleType.INT;
            case DOUBLE -> SimpleType.DOUBLE;
            case STRING -> SimpleType.STRING;
        };
    }

    private static CelCompiler compiler(boolean tags, boolean segments, boolean event) {
        var b =
                CelCompilerFactory.standardCelCompilerBuilder()
                        .setOptions(OPTIONS)
                        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                        .setTypeProvider(TYPES)
                        .setResultType(SimpleType.BOOL)
                        .addVar("f", F)
                        .addVar("score", SCORE)
                        .addVar("rfm", RFM)
                        .addVar("rec", ListType.create(SimpleType.STRING))
                        .addVar("lifecycle", SimpleType.STRING)
                        .addVar("traits", MapType.create(SimpleType.STRING, SimpleType.STRING))
                        .addVar("consent", MapType.create(SimpleType.STRING, SimpleType.BOOL));
        if (tags) {
            b.addVar("tags", ListType.create(SimpleType.STRING));
        }
        if (segments) {
            b.addVar("segments", ListType.create(SimpleType.STRING));
        }
        if (event) {
            b.addVar("event", EVENT);
        }
        return b.build();
    }
}
