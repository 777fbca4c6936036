package io.rtcdp.operators.types;

import io.rtcdp.udf.event.Id;
import io.rtcdp.udf.profile.ProfileCommand;
import io.rtcdp.udf.profile.ProfileFeatures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link ProfileCommand}. */
public final class ProfileCommandSerializer extends CodecSerializer<ProfileCommand> {
    private static final long serialVersionUID = 1L;

    public static final ProfileCommandSerializer INSTANCE = new ProfileCommandSerializer();

    private static final ProfileCommand.Kind[] KINDS = ProfileCommand.Kind.values();

    @Override
    public void serialize(ProfileCommand c, DataOutputView out) throws IOException {
        out.writeByte(c.kind().ordinal());
        writeString(c.tenant(), out);
        writeString(c.oneid(), out);
        if (c.event() == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            EventSerializer.INSTANCE.serialize(c.event(), out);
        }
        writeIds(c.linked(), out);
        writeIds(c.removed(), out);
        if (c.features() == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            c.features().write(out);
        }
        writeNullableString(c.aliasTo(), out);
        writeNullableString(c.history(), out);
        writeStrings(c.merged(), out);
        // the declared trait names: their count + 1, 0 when not known
        if (c.declaredTraits() == null) {
            io.rtcdp.udf.profile.Strings.writeVarInt(out, 0);
        } else {
            // sorted, so that the bytes do not depend on the set's iteration order (random per JVM
            // for an immutable set)
            String[] names = c.declaredTraits().toArray(new String[0]);
            if (names.length > 1) {
                java.util.Arrays.sort(names);
            }
            io.rtcdp.udf.profile.Strings.writeVarInt(out, names.length + 1);
            for (String name : names) {
                writeString(name, out);
            }
        }
    }

    @Override
    public ProfileCommand deserialize(DataInputView in) throws IOException {
        ProfileCommand.Kind kind = KINDS[in.readByte()];
        String tenant = readSharedString(in);
        String oneid = readString(in);
        var event = in.readBoolean() ? EventSerializer.INSTANCE.deserialize(in) : null;
        List<Id> linked = readIds(in);
        List<Id> removed = readIds(in);
        ProfileFeatures features = in.readBoolean() ? ProfileFeatures.read(in) : null;
        String aliasTo = readNullableString(in);
        String history = readNullableString(in);
        List<String> merged = readStrings(in);
        int declared = io.rtcdp.udf.profile.Strings.readVarInt(in);
        java.util.Set<String> declaredTraits = null;
        if (declared > 0) {
            String[] names = new String[declared - 1];
            for (int i = 0; i < names.length; i++) {
                names[i] = readSharedString(in);
            }
            declaredTraits = java.util.Set.of(names);
        }
        return new ProfileCommand(
                kind,
                tenant,
                oneid,
                event,
                linked,
                removed,
                features,
                aliasTo,
                history,
                merged,
                declaredTraits);
    }

    /** A variable-length count: a profile's ids are bounded by the limits, not by 16 bits. */
    static void writeIds(List<Id> ids, DataOutputView out) throws IOException {
        io.rtcdp.udf.profile.Strings.writeVarInt(out, ids.size());
        for (Id id : ids) {
            writeString(id.type(), out);
            writeString(id.value(), out);
        }
    }

    static List<Id> readIds(DataInputView in) throws IOException {
        int n = io.rtcdp.udf.profile.Strings.readVarInt(in);
        if (n == 0) {
            return List.of();
        }
        List<Id> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(new Id(readSharedString(in), readString(in)));
        }
        return ids;
    }

    @Override
    public VersionedSnapshot<ProfileCommand> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot of the stateless singleton. Version 4 embeds events of {@link EventSerializer}
     * version 4 (with order lines), version 5 those of version 5 (with the text signal), version 6
     * features that may hold traits, an event's fragments merged in ({@code merged}) and the trait
     * names the tenant's rule set declares ({@code declaredTraits}), version 7 features with the
     * day buckets of the long windows, version 8 features with refunds and baskets; records between
     * operators only, never state, so older versions are not read.
     */
    public static final class Snapshot extends VersionedSnapshot<ProfileCommand> {
        public Snapshot() {
            super(INSTANCE, 8, java.util.Map.of());
        }
    }
}
