{{ indicator_mart(this.name) }}
