// Simplified Chinese first, English as a switch. Every page registers its own strings with strings({ zh, en });
// t(key, params) looks the key up in the current language, then in Chinese, then shows the key itself.

const dictionaries = { zh: {}, en: {} };
const stored = localStorage.getItem('edurelief.lang');
let current = stored === 'en' ? 'en' : 'zh';

export function strings(table) {
  for (const lang of Object.keys(dictionaries)) {
    Object.assign(dictionaries[lang], table[lang] ?? {});
  }
}

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === 'en' ? 'en' : 'zh';
  localStorage.setItem('edurelief.lang', current);
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
}

export function t(key, params) {
  let text = dictionaries[current][key] ?? dictionaries.zh[key] ?? key;
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      text = text.replaceAll(`{${name}}`, String(value));
    }
  }
  return text;
}

/** Locale for numbers and dates: Chinese formatting in Chinese, English otherwise; always China time. */
export function locale() {
  return current === 'en' ? 'en-GB' : 'zh-CN';
}

strings({
  zh: {
    'app.title': '学生资助管理平台',
    'app.subtitle': '县教育局 · 学校资助',
    'app.skip': '跳到主要内容',
    'app.loading': '加载中…',
    'app.switchLang': 'English',
    'app.switchLangLabel': '切换到英文界面',
    'app.signOut': '退出登录',
    'app.nav': '主导航',
    'app.notFound': '页面不存在',
    'app.back': '返回',
    'nav.cycles': '资助周期',
    'nav.hotline': '热线工单',
    'role.bureau_admin': '教育局管理员',
    'role.school_officer': '学校资助专干',
    'role.inspector': '督查人员',
    'role.hotline_system': '热线系统',
    'role.teacher': '结对帮扶教师',
    'nav.pairing': '我的结对学生',
    'stage.awaiting_rosters': '待上传名册',
    'stage.verifying': '核验中',
    'stage.review': '待审核',
    'stage.notice': '公示中',
    'stage.disbursement': '发放中',
    'stage.rectification': '整改中',
    'stage.closed': '已结束',
    'stage.cancelled': '已撤销',
    'semester.autumn': '{year}年秋季学期',
    'semester.spring': '{year}年春季学期',
    'error.title': '出错了',
    'error.network': '无法连接服务器，请检查网络后重试。',
    'error.forbidden': '无权访问：您的账号不能查看或办理此项。',
    'error.notFound': '未找到：{what}',
    'error.field': '{field}：{message}',
    'error.retry': '重试',
    'common.save': '保存',
    'common.cancel': '取消',
    'common.submit': '提交',
    'common.confirm': '确认',
    'common.refresh': '刷新',
    'common.download': '下载',
    'common.none': '暂无',
    'common.more': '加载更多',
    'common.yes': '是',
    'common.no': '否',
    'common.done': '已完成',
    'common.actions': '操作',
    'common.details': '详情',
    'common.total': '合计',
    'common.yuan': '元',
  },
  en: {
    'app.title': 'Student Aid Console',
    'app.subtitle': 'County education bureau · schools',
    'app.skip': 'Skip to main content',
    'app.loading': 'Loading…',
    'app.switchLang': '中文',
    'app.switchLangLabel': 'Switch to Chinese',
    'app.signOut': 'Sign out',
    'app.nav': 'Main navigation',
    'app.notFound': 'Page not found',
    'app.back': 'Back',
    'nav.cycles': 'Aid cycles',
    'nav.hotline': 'Hotline cases',
    'role.bureau_admin': 'Bureau administrator',
    'role.school_officer': 'School aid officer',
    'role.inspector': 'Inspector',
    'role.hotline_system': 'Hotline system',
    'role.teacher': 'Paired teacher',
    'nav.pairing': 'My children',
    'stage.awaiting_rosters': 'Awaiting rosters',
    'stage.verifying': 'Verifying',
    'stage.review': 'In review',
    'stage.notice': 'Public notice',
    'stage.disbursement': 'Disbursement',
    'stage.rectification': 'Rectification',
    'stage.closed': 'Closed',
    'stage.cancelled': 'Cancelled',
    'semester.autumn': 'Autumn semester {year}',
    'semester.spring': 'Spring semester {year}',
    'error.title': 'Something went wrong',
    'error.network': 'The server cannot be reached. Check the network and try again.',
    'error.forbidden': 'Not allowed: your account cannot see or act on this.',
    'error.notFound': 'Not found: {what}',
    'error.field': '{field}: {message}',
    'error.retry': 'Try again',
    'common.save': 'Save',
    'common.cancel': 'Cancel',
    'common.submit': 'Submit',
    'common.confirm': 'Confirm',
    'common.refresh': 'Refresh',
    'common.download': 'Download',
    'common.none': 'None',
    'common.more': 'Load more',
    'common.yes': 'Yes',
    'common.no': 'No',
    'common.done': 'Done',
    'common.actions': 'Actions',
    'common.details': 'Details',
    'common.total': 'Total',
    'common.yuan': 'yuan',
  },
});
