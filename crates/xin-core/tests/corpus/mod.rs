//! A generated chat corpus of Chinese and English lines, shared by the search test and the
//! search benchmark.
#![allow(dead_code)]

use uuid::Uuid;
use xin_proto::{Content, Message};

/// A small deterministic generator (no seed file to keep).
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() as usize) % xs.len()]
    }
}

pub const CHINESE: &[&str] = &[
    "今天",
    "天气",
    "很好",
    "我们",
    "吃饭",
    "明天",
    "见面",
    "攀岩",
    "周末",
    "咖啡",
    "北京",
    "上海",
    "你好",
    "谢谢",
    "朋友",
    "工作",
    "晚上",
    "电影",
    "时间",
    "一起",
    "天天",
    "好的",
    "没问题",
    "阳朔",
    "月亮山",
];
pub const LATIN: &[&str] = &[
    "climb", "coffee", "tomorrow", "weekend", "Hello", "route", "rope", "see", "you", "at", "the",
    "crag", "OK", "great", "Moon", "Hill", "beta", "send", "project", "rest",
];
const GLUE: &[&str] = &[" ", "，", "。", "!", "", " ", "?"];

pub fn line(r: &mut Lcg) -> String {
    let words = 1 + r.next() % 10;
    let mut s = String::new();
    for _ in 0..words {
        let w = if r.next().is_multiple_of(2) {
            r.pick(CHINESE)
        } else {
            r.pick(LATIN)
        };
        s.push_str(w);
        s.push_str(r.pick(GLUE));
    }
    s.trim().to_string()
}

pub fn message(conv: Uuid, seq: i64, text: &str) -> Message {
    Message {
        id: Uuid::now_v7(),
        conversation_id: conv,
        seq,
        sender_id: Uuid::now_v7(),
        client_id: Uuid::now_v7(),
        content: Content::Text {
            text: text.into(),
            mentions: vec![],
            mention_all: false,
        },
        reply_to: None,
        recalled: false,
        created_at: 1_700_000_000_000 + seq * 7,
    }
}
