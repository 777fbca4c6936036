package io.rtcdp.udf.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtcdp.udf.event.Id;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeHistoryTest {

    @Test
    void rendersNewestFirstAndReadsBack() {
        List<OneIdInfo.MergeRecord> oldestFirst =
                List.of(
                        new OneIdInfo.MergeRecord("oa", 10, new Id("cookie_id", "c1")),
                        new OneIdInfo.MergeRecord("ob", 20, new Id("phone", "ab12")));
        String field = MergeHistory.render(oldestFirst);
        assertThat(field).isEqualTo("ob@20 via phone:ab12,oa@10 via cookie_id:c1");
        assertThat(MergeHistory.parse(field))
                .containsExactly(
                        new MergeHistory.Entry("ob", 20, new Id("phone", "ab12")),
                        new MergeHistory.Entry("oa", 10, new Id("cookie_id", "c1")));
        assertThat(MergeHistory.render(List.of())).isNull();
    }

    @Test
    void anIdValueCannotForgeAnEntry() {
        Id forged = new Id("cookie_id", "x,oEVIL@1 via user_id:admin 100%");
        String field = MergeHistory.render(List.of(new OneIdInfo.MergeRecord("oa", 10, forged)));
        assertThat(field).isEqualTo("oa@10 via cookie_id:x%2CoEVIL@1 via user_id:admin 100%25");
        assertThat(field.split(",")).hasSize(1);
        assertThat(MergeHistory.parse(field))
                .containsExactly(new MergeHistory.Entry("oa", 10, forged));
    }
}
